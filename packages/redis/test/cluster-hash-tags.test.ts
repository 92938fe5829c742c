import { connectionSchema, createKeyring, createVault, generateKey } from '@credvault/core';
import { suiteConnection, useRedisCluster } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.js';

const cluster = useRedisCluster({ beforeAll, afterAll });

describe.skipIf(!cluster.available)('redisStore on a cluster: ids with hash tags', () => {
  /** The keys matching `pattern` on each running master, by its port. */
  async function keysByMaster(pattern: string): Promise<Map<number, string[]>> {
    const c = cluster.cluster();
    const out = new Map<number, string[]>();
    for (const master of await c.masters()) {
      const keys = (await c.cli('-p', String(master.port), '--scan', '--pattern', pattern)).split('\n').filter(Boolean);
      out.set(master.port, keys);
    }
    return out;
  }
  /** A raw command on whichever node owns `key`'s slot (redis-cli follows MOVED with -c). */
  const raw = (...args: string[]) =>
    cluster
      .cluster()
      .cli('-c', '-p', String(cluster.cluster().nodes[0]?.port), ...args)
      .then((out) => out.trim());

  it('spreads 100 ids of the form {same}-N over more than one master, and reads them all back', async () => {
    const store = redisStore({ url: cluster.url() });
    const vault = createVault({
      store,
      keyring: createKeyring([{ kid: 'k1', key: generateKey() }]),
      schema: connectionSchema,
      namespace: 'tags',
    });
    const ids = Array.from({ length: 100 }, (_, n) => `{same}-${n}`);
    for (const id of ids) await vault.set(id, suiteConnection(id, { accessToken: `token-${id}` }));
    const byMaster = await keysByMaster('tags:*');
    const used = [...byMaster.values()].filter((keys) => keys.length > 0);
    expect(used.length).toBeGreaterThan(1);
    expect([...byMaster.values()].flat()).toHaveLength(100);
    for (const id of ids) expect((await vault.get(id))?.accessToken).toBe(`token-${id}`);
    const listed = [];
    for await (const [id] of vault.entries()) listed.push(id);
    expect(listed.sort()).toEqual([...ids].sort());
    expect(await store.count('tags:')).toBe(100);
    await store.close();
  }, 60_000);

  it('keeps the key of an id without braces byte for byte', async () => {
    const store = redisStore({ url: cluster.url() });
    const vault = createVault({
      store,
      keyring: createKeyring([{ kid: 'k1', key: generateKey() }]),
      schema: connectionSchema,
      namespace: 'plain',
    });
    await vault.set('conn-1', suiteConnection('conn-1'));
    await store.set('plain-store:a{b', 'v1'); // braces but no hash tag: unchanged too
    await store.set('plain-store:{}x', 'v2');
    expect(await raw('GET', 'plain:conn-1')).toMatch(/^cv1\./);
    expect(await raw('GET', 'plain-store:a{b')).toBe('v1');
    expect(await raw('GET', 'plain-store:{}x')).toBe('v2');
    await store.close();
  });

  it('finds a record stored under an id’s own hash tag by an earlier version, and moves it', async () => {
    const store = redisStore({ url: cluster.url() });
    const old = 'legacy:{old}-1';
    await raw('SET', old, 'from-before');
    await raw('SET', 'legacy:{old}-2', 'second');
    expect(await store.get(old)).toBe('from-before');
    expect(await raw('EXISTS', old)).toBe('0'); // moved to the store's own key
    expect(await store.get(old)).toBe('from-before');
    const listed = [];
    for await (const entry of store.entries('legacy:')) listed.push(entry);
    expect(listed.sort()).toEqual([
      [old, 'from-before'],
      ['legacy:{old}-2', 'second'],
    ]);
    expect(await raw('EXISTS', 'legacy:{old}-2')).toBe('0'); // iteration moved it too
    expect(await store.compareAndSet(old, 'from-before', 'next')).toBe(true);
    await raw('SET', old, 'stale copy'); // e.g. a move that crashed halfway: the new key wins
    expect(await store.get(old)).toBe('next');
    expect(await raw('EXISTS', old)).toBe('0');
    await raw('SET', old, 'stale copy');
    expect(await store.delete(old)).toBe(true);
    expect(await store.get(old)).toBeUndefined(); // no old copy comes back
    expect(await raw('EXISTS', old)).toBe('0');
    await store.close();
  });

  it('takes a lease whose name has a hash tag under the store’s own key, released by its owner', async () => {
    const store = redisStore({ url: cluster.url() });
    const name = '~lease:tags:refresh:{same}-1';
    const lease = await store.lease(name, 10_000);
    expect(lease?.name).toBe(name);
    expect(await store.lease(name, 10_000)).toBeUndefined();
    expect(await raw('EXISTS', name)).toBe('0');
    expect(await lease?.extend(20_000)).toBe(true);
    expect(await lease?.release()).toBe(true);
    expect(await store.lease(name, 10_000)).toBeDefined();
    await store.close();
  });
});
