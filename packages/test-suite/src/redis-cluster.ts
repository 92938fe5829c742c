import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { accepting, redisAvailable } from './redis-server.js';
import { backendAvailable, type Hooks, useBackend } from './use-backend.js';

const run = promisify(execFile);

/** One redis-server of a {@link RedisClusterServers}. */
export interface RedisClusterNode {
  readonly port: number;
  /** Whether its process is running. */
  readonly running: boolean;
  /** Kills the process (SIGKILL by default: a crash, nothing flushed) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal without waiting (e.g. SIGSTOP / SIGCONT to freeze and thaw it). */
  signal(signal: NodeJS.Signals): void;
  /** Starts it again with its cluster config (it rejoins, as a replica if it was failed over). */
  restart(): Promise<void>;
}

/** A real six-node Redis Cluster (three masters, three replicas) started for tests. */
export interface RedisClusterServers {
  /** `redis+cluster://127.0.0.1:<p1>,...` naming every node. */
  readonly url: string;
  readonly nodes: readonly RedisClusterNode[];
  /** Runs `redis-cli <args>` and returns its stdout. */
  cli(...args: string[]): Promise<string>;
  /** The running nodes that are masters owning slots, by their own `ROLE`. */
  masters(): Promise<RedisClusterNode[]>;
  /** The running master that owns the slot of `key`. */
  masterFor(key: string): Promise<RedisClusterNode>;
  /** The running replicas of a master, by its `INFO replication`. */
  replicasOf(master: RedisClusterNode): Promise<RedisClusterNode[]>;
  /** The cluster node id of a node (`CLUSTER MYID`), for `redis-cli --cluster reshard`. */
  idOf(node: RedisClusterNode): Promise<string>;
  /** Waits until every running node says `cluster_state:ok`, three masters, every running replica in sync. */
  healthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the temp dir. */
  stop(): Promise<void>;
}

/**
 * The lowest port the kernel hands out to outgoing connections (Linux's ip_local_port_range;
 * 32768 where it cannot be read). A cluster port below it minus 10000 keeps both the port and
 * its bus port out of that range, so no client socket of a test running beside can take one
 * between the check below and redis-server's bind.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** A free loopback port whose cluster bus port (+10000) is free too, both below the ephemeral range where it allows. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  const tryListen = async (port: number) => {
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false)); // taken
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) await new Promise((resolve) => server.close(resolve));
    return ok;
  };
  const low = ephemeralLow();
  const [from, span] = low - 10_000 > 12_000 ? [10_000, low - 20_000] : [20_000, 35_000];
  for (;;) {
    const port = from + Math.floor(Math.random() * span);
    if (taken.has(port) || taken.has(port + 10_000) || taken.has(port - 10_000)) continue;
    if ((await tryListen(port)) && (await tryListen(port + 10_000))) {
      taken.add(port);
      return port;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts three masters and three replicas of `redis-server` on free loopback ports in a temp
 * dir (no persistence, `cluster-node-timeout` 1000 ms, failover even after a long pause), joins
 * them with `redis-cli --cluster create --cluster-replicas 1` and waits until all say `ok`.
 */
export async function startRedisCluster(): Promise<RedisClusterServers> {
  const dir = await mkdtemp(join(tmpdir(), 'credvault-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 6; i++) ports.push(await freeClusterPort(taken));
  const cli = async (...args: string[]) => (await run('redis-cli', args, { timeout: 120_000 })).stdout;
  const nodes = ports.map((firstPort) => {
    let port = firstPort;
    let child: ChildProcess | undefined;
    const node = {
      get port() {
        return port;
      },
      /** Before the cluster is made: a node whose server exits at start (a port taken after all) moves to a new port. */
      async start() {
        for (let attempt = 1; ; attempt++) {
          try {
            return await node.restart();
          } catch (error) {
            if (node.running || attempt === 3) throw error;
            port = await freeClusterPort(taken);
          }
        }
      },
      get running() {
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      async restart() {
        const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
        args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`);
        args.push('--cluster-node-timeout', '1000', '--cluster-replica-validity-factor', '0');
        const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
        child = started;
        await accepting(started, port);
      },
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        const running = child;
        if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
        const exited = once(running, 'exit');
        running.kill(signal);
        await exited;
      },
      signal(signal: NodeJS.Signals) {
        child?.kill(signal);
      },
    };
    return node;
  });
  const masters = async () => {
    const roles = await Promise.all(
      nodes.map(async (n) => (n.running ? await cli('-p', String(n.port), 'role').catch(() => '') : '')),
    );
    return nodes.filter((_, i) => roles[i]?.startsWith('master'));
  };
  const healthy = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const infos = await Promise.all(
        nodes.filter((n) => n.running).map((n) => cli('-p', String(n.port), 'cluster', 'info').catch(() => '')),
      );
      const ok = infos.every((info) => info.includes('cluster_state:ok'));
      const current = ok ? await masters() : [];
      const replication = await Promise.all(
        current.map((n) => cli('-p', String(n.port), 'info', 'replication').catch(() => '')),
      );
      const online = replication.join('\n').match(/state=online/g)?.length ?? 0;
      const running = nodes.filter((n) => n.running).length;
      if (ok && current.length === 3 && online === running - 3) return; // every running replica in sync

      await sleep(100);
    }
    throw new Error('the Redis cluster did not become healthy');
  };
  const masterFor = async (key: string) => {
    const slot = Number((await cli('-p', String(nodes[0]?.port), 'cluster', 'keyslot', key)).trim());
    for (const master of await masters()) {
      const [mine] = (await cli('-p', String(master.port), 'cluster', 'nodes'))
        .split('\n')
        .filter((l) => l.includes('myself'));
      for (const range of mine?.trim().split(' ').slice(8) ?? []) {
        const [from, to = from] = range.split('-').map(Number);
        if (from !== undefined && to !== undefined && slot >= from && slot <= to) return master;
      }
    }
    throw new Error(`no running master owns the slot of ${key}`);
  };
  const replicasOf = async (master: RedisClusterNode) => {
    const info = await cli('-p', String(master.port), 'info', 'replication');
    const ports = [...info.matchAll(/slave\d+:ip=[^,]*,port=(\d+)/g)].map((m) => Number(m[1]));
    return nodes.filter((n) => n.running && ports.includes(n.port));
  };
  const idOf = async (node: RedisClusterNode) => (await cli('-p', String(node.port), 'cluster', 'myid')).trim();
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await cli('--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes');
    await healthy(60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    cli,
    masters,
    masterFor,
    replicasOf,
    idOf,
    healthy,
    stop,
  };
}

/** Whether `redis-cli` (which creates and reshards the cluster) is installed; loud skip or CI failure if not. */
function redisCliAvailable(): boolean {
  if (spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  const message = 'redis-cli is not installed: Redis Cluster tests cannot run (apt-get install -y redis-tools)';
  return backendAvailable(false, 'REDIS CLUSTER', message);
}

/** A Redis Cluster for the tests of one file. */
export interface TestRedisCluster {
  /** False when redis-server is not installed (tests skip; under CI this throws instead). */
  readonly available: boolean;
  /** Its `redis+cluster://` URL, once `beforeAll` has run. */
  url(): string;
  /** The cluster itself, to kill, restart and reshard nodes. */
  cluster(): RedisClusterServers;
}

/**
 * Starts a real six-node Redis Cluster before the file's tests and stops it after them; skips
 * loudly without redis-server locally and fails under CI, like {@link useRedisServer}.
 * @example
 * ```ts
 * const cluster = useRedisCluster(vitest)
 * it.skipIf(!cluster.available)('works on a cluster', () => run(cluster.url()))
 * ```
 */
export function useRedisCluster(hooks: Hooks): TestRedisCluster {
  const cluster = useBackend(hooks, {
    name: 'the Redis cluster',
    available: redisAvailable() && redisCliAvailable(),
    start: startRedisCluster,
    stop: (servers) => servers.stop(),
    startTimeoutMs: 90_000,
  });
  return { available: cluster.available, cluster: cluster.get, url: () => cluster.get().url };
}
