import { checkDistinctKeys } from '@credvault/core';
import KeyvRedis, { type RedisClusterOptions } from '@keyv/redis';
import calculateSlot from 'cluster-key-slot';
import { type ClusterLink, clusterConnection } from './cluster-connection.js';
import { type Cluster, clusterCount, clusterEntries, type ScanAccess } from './cluster-scan.js';
import { replicaWaiter } from './durability.js';
import { takeLease } from './lease.js';
import type { RedisStore, RedisStoreOptions } from './options.js';
import { COMPARE_AND_SET, casArguments, REPLACE_PREFIX_MANY, type Script } from './scripts.js';
import { withinDeadline } from './store-failure.js';

const CHUNK = 1000;

/** A script by EVALSHA, by EVAL when the node does not know it yet (NOSCRIPT: it did not run). */
async function evalScript(cluster: Cluster, s: Script, key: string, args: string[]): Promise<unknown> {
  try {
    return await cluster.evalSha(s.sha, { keys: [key], arguments: args });
  } catch (error) {
    if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
    return cluster.eval(s.source, { keys: [key], arguments: args });
  }
}

/**
 * The Redis Cluster flavour of {@link redisStore}: every command names one key and is routed
 * by node-redis to the master owning its slot (following MOVED and ASK), so batches are per-key
 * commands pipelined to each master and never cross slots. After any failure the cluster
 * client is rebuilt from the root nodes on the next call, so a failover is picked up at once.
 */
export function clusterStore(
  clusterOptions: RedisClusterOptions,
  where: string,
  options: RedisStoreOptions,
): RedisStore {
  const { timeout = 5000, scanCount = 500 } = options;
  const connection = clusterConnection(clusterOptions, timeout);
  let closed = false;
  let adapter: KeyvRedis<string> | undefined;

  function run<T>(operation: string, work: (cluster: Cluster) => Promise<T>): Promise<T> {
    let used: ClusterLink | undefined;
    let connecting = true;
    const start = async () => {
      if (closed) throw new Error('the store is closed');
      const link = connection.current();
      used = link;
      const cluster = await link.ready;
      connecting = false;
      return work(cluster);
    };
    return withinDeadline(
      timeout,
      start,
      (reason) =>
        connecting
          ? `cannot reach the Redis cluster at ${where} (${reason})`
          : `redis ${operation} on the cluster at ${where} failed: ${reason}`,
      () => {
        // not for a VaultError (e.g. replicas did not confirm: the link is fine)
        if (used !== undefined) connection.failed(used); // rebuild from the root nodes next time
      },
    );
  }

  const waiter = replicaWaiter(options, where);
  /** WAIT on each master that owns a slot written to (the connection the writes went through). */
  const replicated = (cluster: Cluster, written: readonly string[]) =>
    written.length === 0
      ? Promise.resolve()
      : waiter(async () => {
          const masters = new Set(written.map((key) => cluster.slots[calculateSlot(key)]?.master));
          masters.delete(undefined);
          return Promise.all([...masters].map((node) => cluster.nodeClient(node as NonNullable<typeof node>)));
        });
  const getMany = (keys: readonly string[]) =>
    run('getMany', async (cluster) => {
      const out: (string | undefined)[] = [];
      for (let i = 0; i < keys.length; i += CHUNK) {
        const values = await Promise.all(keys.slice(i, i + CHUNK).map((key) => cluster.get(key)));
        for (const value of values) out.push(value ?? undefined);
      }
      return out;
    });
  const access: ScanAccess = { run, getMany, scanCount };
  const compareAndSet = async (cluster: Cluster, key: string, expected?: string, next?: string) => {
    return (await evalScript(cluster, COMPARE_AND_SET, key, casArguments(expected, next))) === 1;
  };

  /** Runs `one` on every entry (distinct keys) at once, then waits for the replicas of those it wrote. */
  const eachKey = async <E extends readonly [string, string, string]>(
    operation: string,
    entries: readonly E[],
    one: (cluster: Cluster, entry: E) => Promise<boolean>,
  ): Promise<boolean[]> => {
    checkDistinctKeys(entries, operation); // the entries run concurrently: a repeated key would race itself
    return run(operation, async (cluster) => {
      const written = await Promise.all(entries.map((entry) => one(cluster, entry)));
      await replicated(
        cluster,
        entries.filter((_, i) => written[i]).map(([key]) => key),
      );
      return written;
    });
  };

  const store: RedisStore = {
    name: 'redis',
    get adapter(): KeyvRedis<string> {
      // Its own cluster client (connected on first use), so it survives the store's rebuilds.
      if (adapter === undefined) {
        adapter = new KeyvRedis<string>(connection.make(), { throwOnErrors: true, connectionTimeout: timeout });
        adapter.on('error', () => {});
      }
      return adapter;
    },
    get: (key) => run('get', async (cluster) => (await cluster.get(key)) ?? undefined),
    set: (key, value) =>
      run('set', async (cluster) => {
        await cluster.set(key, value);
        await replicated(cluster, [key]);
      }),
    delete: (key) =>
      run('delete', async (cluster) => {
        const deleted = (await cluster.del(key)) > 0;
        if (deleted) await replicated(cluster, [key]);
        return deleted;
      }),
    has: (key) => run('has', async (cluster) => (await cluster.exists(key)) > 0),
    compareAndSet: (key, expected, next) =>
      run('compareAndSet', async (cluster) => {
        const written = await compareAndSet(cluster, key, expected, next);
        if (written) await replicated(cluster, [key]);
        return written;
      }),
    compareAndSetMany: (entries) =>
      eachKey('compareAndSetMany', entries, (cluster, [key, expected, next]) =>
        compareAndSet(cluster, key, expected, next),
      ),
    // One script call per key: the keys of a batch lie in many slots.
    replacePrefixMany: (entries) =>
      eachKey('replacePrefixMany', entries, async (cluster, [key, prefix, next]) => {
        const reply = await evalScript(cluster, REPLACE_PREFIX_MANY, key, [prefix, next]);
        if (!Array.isArray(reply) || reply.length !== 1) throw new Error('unexpected script reply');
        return reply[0] === 1;
      }),
    count: (prefix) => clusterCount(access, prefix),
    getMany,
    setMany: (entries) =>
      run('setMany', async (cluster) => {
        for (let i = 0; i < entries.length; i += CHUNK) {
          await Promise.all(entries.slice(i, i + CHUNK).map(([key, value]) => cluster.set(key, value)));
        }
        await replicated(
          cluster,
          entries.map(([key]) => key),
        );
      }),
    entries: (prefix) => clusterEntries(access, prefix),
    lease: (name, ttlMs) =>
      takeLease<Cluster>(
        {
          run,
          setIfAbsent: async (cluster, name, token, ms) =>
            (await cluster.set(name, token, { condition: 'NX', expiration: { type: 'PX', value: ms } })) === 'OK',
          evalScript,
          replicated: (cluster, name) => replicated(cluster, [name]),
        },
        name,
        ttlMs,
      ),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([connection.close(), adapter?.disconnect().catch(() => {})]);
    },
  };
  return store;
}
