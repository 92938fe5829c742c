import { checkDistinctKeys } from '@credvault/core';
import KeyvRedis, { type RedisClusterOptions } from '@keyv/redis';
import calculateSlot from 'cluster-key-slot';
import { type ClusterLink, clusterConnection } from './cluster-connection.js';
import { type Cluster, clusterCount, clusterEntries, type ScanAccess } from './cluster-scan.js';
import { replicaWaiter } from './durability.js';
import { clusterKey } from './hash-tags.js';
import { takeLease } from './lease.js';
import type { RedisStore, RedisStoreOptions } from './options.js';
import { COMPARE_AND_SET, casArguments, DELETE_IF_HOLDS, REPLACE_PREFIX_MANY, type Script } from './scripts.js';
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
 *
 * A key with a hash tag (`{...}`, e.g. from a record id) is kept under {@link clusterKey}, so its
 * slot is the store's choice, not the id's. A record written under the key itself by an earlier
 * version is found there and moved on first access (see `located`).
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

  /** Compare-and-set of the Redis key `redisKey`. */
  const compareAndSet = async (cluster: Cluster, redisKey: string, expected?: string, next?: string) =>
    (await evalScript(cluster, COMPARE_AND_SET, redisKey, casArguments(expected, next))) === 1;
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

  /**
   * The Redis key of `key` ({@link clusterKey}), after moving a record an earlier version kept
   * under `key` itself there: copied when the new key is absent (compare-and-set from absent),
   * then deleted only if it still holds what was copied. Crash-safe (a copy left behind loses
   * to the new key, and is deleted on the next access); one more GET for a key with a hash tag.
   */
  const located = async (cluster: Cluster, key: string): Promise<string> => {
    const redisKey = clusterKey(key);
    if (redisKey === key) return redisKey; // no hash tag: never stored elsewhere
    const old = await cluster.get(key);
    if (old === null) return redisKey;
    const copied = await compareAndSet(cluster, redisKey, undefined, old);
    const removed = (await evalScript(cluster, DELETE_IF_HOLDS, key, [old])) === 1;
    await replicated(cluster, [...(copied ? [redisKey] : []), ...(removed ? [key] : [])]);
    return redisKey;
  };
  const getMany = (keys: readonly string[]) =>
    run('getMany', async (cluster) => {
      const out: (string | undefined)[] = [];
      for (let i = 0; i < keys.length; i += CHUNK) {
        const values = await Promise.all(
          keys.slice(i, i + CHUNK).map(async (key) => cluster.get(await located(cluster, key))),
        );
        for (const value of values) out.push(value ?? undefined);
      }
      return out;
    });
  const access: ScanAccess = { run, getMany, scanCount };

  /**
   * Runs `one` on every entry (distinct keys) at once, with the entry's Redis key, then waits
   * for the replicas of those it wrote.
   */
  const eachKey = async <E extends readonly [string, string, string]>(
    operation: string,
    entries: readonly E[],
    one: (cluster: Cluster, redisKey: string, entry: E) => Promise<boolean>,
  ): Promise<boolean[]> => {
    checkDistinctKeys(entries, operation); // the entries run concurrently: a repeated key would race itself
    return run(operation, async (cluster) => {
      const done = await Promise.all(
        entries.map(async (entry) => {
          const redisKey = await located(cluster, entry[0]);
          return [redisKey, await one(cluster, redisKey, entry)] as const;
        }),
      );
      await replicated(
        cluster,
        done.filter(([, written]) => written).map(([redisKey]) => redisKey),
      );
      return done.map(([, written]) => written);
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
    get: (key) => run('get', async (cluster) => (await cluster.get(await located(cluster, key))) ?? undefined),
    // A plain write needs no move: the new key wins over an old copy, which the next access deletes.
    set: (key, value) =>
      run('set', async (cluster) => {
        const redisKey = clusterKey(key);
        await cluster.set(redisKey, value);
        await replicated(cluster, [redisKey]);
      }),
    delete: (key) =>
      run('delete', async (cluster) => {
        const redisKey = clusterKey(key);
        const both = redisKey === key ? [key] : [redisKey, key]; // and any old copy, which would come back
        const deleted = await Promise.all(both.map(async (k) => (await cluster.del(k)) > 0));
        await replicated(
          cluster,
          both.filter((_, i) => deleted[i]),
        );
        return deleted.includes(true);
      }),
    has: (key) => run('has', async (cluster) => (await cluster.exists(await located(cluster, key))) > 0),
    compareAndSet: (key, expected, next) =>
      run('compareAndSet', async (cluster) => {
        const redisKey = await located(cluster, key);
        const written = await compareAndSet(cluster, redisKey, expected, next);
        if (written) await replicated(cluster, [redisKey]);
        return written;
      }),
    compareAndSetMany: (entries) =>
      eachKey('compareAndSetMany', entries, (cluster, redisKey, [, expected, next]) =>
        compareAndSet(cluster, redisKey, expected, next),
      ),
    // One script call per key: the keys of a batch lie in many slots.
    replacePrefixMany: (entries) =>
      eachKey('replacePrefixMany', entries, async (cluster, redisKey, [, prefix, next]) => {
        const reply = await evalScript(cluster, REPLACE_PREFIX_MANY, redisKey, [prefix, next]);
        if (!Array.isArray(reply) || reply.length !== 1) throw new Error('unexpected script reply');
        return reply[0] === 1;
      }),
    count: (prefix) => clusterCount(access, prefix),
    getMany,
    setMany: (entries) =>
      run('setMany', async (cluster) => {
        for (let i = 0; i < entries.length; i += CHUNK) {
          await Promise.all(entries.slice(i, i + CHUNK).map(([key, value]) => cluster.set(clusterKey(key), value)));
        }
        await replicated(
          cluster,
          entries.map(([key]) => clusterKey(key)),
        );
      }),
    entries: (prefix) => clusterEntries(access, prefix),
    // Under clusterKey(name) too, never moved: an old lease key simply expires.
    lease: (name, ttlMs) =>
      takeLease<Cluster>(
        {
          run,
          setIfAbsent: async (cluster, leased, token, ms) =>
            (await cluster.set(clusterKey(leased), token, {
              condition: 'NX',
              expiration: { type: 'PX', value: ms },
            })) === 'OK',
          evalScript: (cluster, s, leased, args) => evalScript(cluster, s, clusterKey(leased), args),
          replicated: (cluster, leased) => replicated(cluster, [clusterKey(leased)]),
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
