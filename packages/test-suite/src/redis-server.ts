import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendAvailable, type Hooks, onFreePort, useBackend } from './use-backend.js';

/** A real redis-server started for tests. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then waits for it to exit). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: a crash, nothing flushed but what its persistence already wrote). */
  kill(): Promise<void>;
  /** Starts it again on the same port, after {@link RedisServer.stop}. */
  restart(): Promise<void>;
}

/** How {@link startRedisServer} runs the server. */
export interface RedisServerOptions {
  /**
   * An append-only file fsynced on every write (`appendfsync always`) in a temp dir of its own,
   * so a write the server acknowledged survives {@link RedisServer.kill} and a restart.
   * Default: no persistence.
   */
  readonly appendOnly?: boolean;
}

/** Whether a `redis-server` binary is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Decides whether Redis tests can run: yes when redis-server is installed; otherwise a loud
 * warning and a skip locally, and an error under CI (where `.ci/run` must have installed it).
 */
export function redisAvailable(): boolean {
  if (hasRedisServer()) return true;
  const message = 'redis-server is not installed: Redis tests cannot run (apt-get install -y redis-server)';
  return backendAvailable(false, 'REDIS', message);
}

/**
 * Waits until `child`, a redis-server started on `port`, logs that it accepts connections. Its own
 * log, not a PING on the port: another process's server that took the port first would answer one.
 * @throws when it exits first (the port was taken after all) or stays silent for 10 s (then it is killed).
 */
export function accepting(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(new Error(`redis-server on port ${port} did not start within 10 s; its log ends:\n${log.trim()}`));
    }, 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (settled) return; // still read: a full pipe would block the server's logging
      log = (log + chunk.toString()).slice(-2000);
      if (log.includes('Ready to accept connections')) settle();
    });
    child.once('exit', (code, signal) =>
      settle(new Error(`redis-server on port ${port} exited (${code ?? signal}); its log ends:\n${log.trim()}`)),
    );
  });
}

/**
 * Starts `redis-server` on a free loopback port, without persistence unless `appendOnly`, and
 * waits until it accepts connections (on another port if the first was taken meanwhile). Stop it
 * with `stop()` (tests stop it in `afterAll`); an append-only server's dir goes when the process exits.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  let child: ChildProcess | undefined;
  const persistence = ['--appendonly', 'no'];
  if (options.appendOnly === true) {
    const dir = mkdtempSync(join(tmpdir(), 'credvault-redis-aof-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    persistence.splice(0, 2, '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always');
  }
  const startOn = async (port: number) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence];
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    await accepting(child, port);
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };
  const port = await onFreePort(async (free) => {
    await startOn(free);
    return free;
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    restart: () => startOn(port),
  };
}

/** The vitest hooks the helpers below register. */

/** A redis-server for the tests of one file. */
export interface TestRedis {
  /** False when redis-server is not installed (tests skip; under CI this throws instead). */
  readonly available: boolean;
  /** Its URL, once `beforeAll` has run. */
  url(): string;
  /** The server itself, to stop and restart it. */
  server(): RedisServer;
}

/**
 * Starts a real redis-server on a free loopback port before the file's tests and stops it
 * after them; see {@link redisAvailable} for what happens when redis-server is missing.
 * @example
 * ```ts
 * const redis = useRedisServer(vitest)
 * it.skipIf(!redis.available)('works on Redis', () => run(redis.url()))
 * ```
 */
export function useRedisServer(hooks: Hooks): TestRedis {
  const redis = useBackend(hooks, {
    name: 'redis-server',
    available: redisAvailable(),
    start: startRedisServer,
    stop: (server) => server.stop(),
    startTimeoutMs: 30_000,
  });
  return { available: redis.available, server: redis.get, url: () => redis.get().url };
}
