import { isVaultError } from '@credvault/core';
import { type RedisClusterNode, useRedisCluster } from '@credvault/test-suite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.js';

const cluster = useRedisCluster({ beforeAll, afterAll });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads `key` until the cluster answers (it may still be electing a new master). */
async function settledGet(store: ReturnType<typeof redisStore>, key: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.get(key);
    } catch (error) {
      if (attempt > 100) throw error;
      await sleep(100);
    }
  }
}

describe.skipIf(!cluster.available)('redisStore on a cluster when a master dies', () => {
  afterEach(async () => {
    // Whatever a test killed or froze comes back (as a replica), so the next test has a full cluster.
    const c = cluster.cluster();
    for (const node of c.nodes) node.signal('SIGCONT');
    for (const node of c.nodes) if (!node.running) await node.restart();
    await c.healthy(30_000);
  }, 60_000);

  it('fails with STORE_FAILED during the failover, never hangs, works after, and loses no acknowledged compare-and-set', async () => {
    const c = cluster.cluster();
    const timeout = 1000;
    const store = redisStore({ url: c.url, timeout, waitForReplicas: 1 });
    const keys = Array.from({ length: 30 }, (_, i) => `failover:k${i}`);
    // Seeded through a patient store: right after the cluster starts, a replica link may still be settling.
    const seeder = redisStore({ url: c.url, timeout: 10_000, waitForReplicas: 1, waitTimeout: 10_000 });
    for (const key of keys) await seeder.set(key, '0');
    await seeder.close();
    const victim: RedisClusterNode = await c.masterFor(keys[0] as string);
    // A store without waitForReplicas, writing a key of the same shard: it works again right after the failover.
    const plain = redisStore({ url: c.url, timeout });
    let plainKey = 'failover:plain0';
    for (let i = 1; (await c.masterFor(plainKey)) !== victim; i++) plainKey = `failover:plain${i}`;
    expect(await plain.compareAndSet(plainKey, undefined, 'before')).toBe(true);
    const acked = new Map(keys.map((key) => [key, 0]));
    const lastSuccess = new Map(keys.map((key) => [key, 0]));
    const failures: unknown[] = [];
    let slowest = 0;
    let running = true;
    const timed = async <T>(call: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      try {
        return await call();
      } finally {
        slowest = Math.max(slowest, Date.now() - started);
      }
    };
    const workers = keys.map(async (key) => {
      while (running) {
        try {
          const value = await timed(() => store.get(key));
          const next = Number(value) + 1;
          if (await timed(() => store.compareAndSet(key, value, String(next)))) {
            acked.set(key, next);
            lastSuccess.set(key, Date.now());
          }
        } catch (error) {
          failures.push(error);
          await sleep(20);
        }
      }
    });
    await sleep(300);
    const ackedBeforeKill = acked.get(keys[0] as string) ?? 0;
    await victim.kill('SIGKILL');
    await c.healthy(30_000); // its replica took over
    let plainBack = false;
    for (let i = 0; i < 100 && !plainBack; i++) {
      plainBack = await plain.set(plainKey, 'after').then(
        () => true,
        async () => {
          await sleep(50);
          return false;
        },
      );
    }
    expect(plainBack).toBe(true);
    expect(await plain.get(plainKey)).toBe('after');
    // waitForReplicas: 1 refuses that shard's writes until it has a replica again: the old master, rejoining.
    await victim.restart();
    await c.healthy(30_000);
    const healed = Date.now();
    for (let i = 0; i < 200 && keys.some((key) => (lastSuccess.get(key) ?? 0) <= healed); i++) await sleep(50);
    running = false;
    await Promise.all(workers);

    expect(ackedBeforeKill).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0); // the failover was felt...
    expect(failures.every((error) => isVaultError(error, 'STORE_FAILED'))).toBe(true); // ...as STORE_FAILED only
    expect(slowest).toBeLessThan(timeout + 1500); // a bounded wait, never a hang
    for (const key of keys) expect(lastSuccess.get(key), key).toBeGreaterThan(healed); // every key works again
    for (const key of keys) {
      // Each acknowledged write is there; a write that failed may or may not have landed (never acknowledged).
      const stored = Number(await store.get(key));
      expect(stored, key).toBeGreaterThanOrEqual(acked.get(key) ?? 0);
      expect(stored, key).toBeLessThanOrEqual((acked.get(key) ?? 0) + 1);
    }
    await Promise.all([store.close(), plain.close()]);
  }, 90_000);

  it('can lose an acknowledged write when the master dies before its replica has it; waitForReplicas does not acknowledge it', async () => {
    const c = cluster.cluster();
    const key = 'gap:k';
    const plain = redisStore({ url: c.url, timeout: 2000 });
    const durable = redisStore({ url: c.url, timeout: 2000, waitForReplicas: 1, waitTimeout: 300 });
    await durable.set(key, 'v0'); // on the master and its replica
    const master = await c.masterFor(key);
    const [replica] = await c.replicasOf(master);
    if (replica === undefined) throw new Error('the master has no replica');
    replica.signal('SIGSTOP'); // replication stalls, as on a slow link...
    try {
      await c.cli('-p', String(master.port), 'client', 'kill', 'type', 'replica'); // ...and the link drops
      expect(await plain.compareAndSet(key, 'v0', 'v1')).toBe(true); // acknowledged by the master alone
      const refused = await durable.compareAndSet(key, 'v1', 'v2').catch((error: unknown) => error);
      expect(isVaultError(refused, 'STORE_FAILED')).toBe(true);
      expect((refused as Error).message).toContain('0 of 1 replicas');
      await master.kill('SIGKILL');
    } finally {
      replica.signal('SIGCONT');
    }
    await c.healthy(30_000); // the stale replica is the new master
    expect(await settledGet(plain, key)).toBe('v0'); // the acknowledged v1 is gone: asynchronous replication
    await Promise.all([plain.close(), durable.close()]);
  }, 90_000);
});
