import { connectionSchema, createKeyring, createVault, generateKey } from '@credvault/core';
import { type RedisClusterServers, suiteConnection, useRedisCluster } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.js';

const cluster = useRedisCluster({ beforeAll, afterAll });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RECORDS = 3000;

/** Which master owns which slots, as one node sees it. */
async function owners(c: RedisClusterServers): Promise<string> {
  const [master] = await c.masters();
  const view = await c.cli('-p', String(master?.port), 'cluster', 'nodes');
  return view
    .split('\n')
    .filter((line) => line.includes('master'))
    .map((line) => {
      const [id, , , , , , , , ...slots] = line.trim().split(' ');
      return `${id} ${slots.join(' ')}`;
    })
    .sort()
    .join('\n');
}

/**
 * Moves slots, 300 at a time with `redis-cli --cluster reshard`, until stopped: from the master
 * the store scans last to the one it scans first (it scans in address order), the direction in
 * which a single pass over the masters would miss the keys that moved.
 */
function keepResharding(c: RedisClusterServers): { stop(): Promise<number> } {
  let running = true;
  const done = (async () => {
    const masters = (await c.masters()).sort((x, y) => (`127.0.0.1:${x.port}` < `127.0.0.1:${y.port}` ? -1 : 1));
    const [first, last] = [masters[0], masters[masters.length - 1]];
    if (first === undefined || last === undefined || first === last) throw new Error('fewer than two masters');
    const args = ['--cluster-from', await c.idOf(last), '--cluster-to', await c.idOf(first), '--cluster-slots', '300'];
    let moves = 0;
    while (running) {
      try {
        await c.cli('--cluster', 'reshard', `127.0.0.1:${first.port}`, ...args, '--cluster-yes');
        moves += 1;
      } catch {
        await sleep(200); // the nodes do not agree on the last move yet: try again
      }
    }
    return moves;
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}

/** Starts resharding and waits until slots have really started to move. */
async function reshardingUnderWay(c: RedisClusterServers): Promise<{ stop(): Promise<number> }> {
  const before = await owners(c);
  const resharding = keepResharding(c);
  while ((await owners(c)) === before) await sleep(20);
  return resharding;
}

describe.skipIf(!cluster.available)('redisStore on a cluster while slots move (redis-cli --cluster reshard)', () => {
  it('iterates every key exactly once while its slots move between masters', async () => {
    const c = cluster.cluster();
    const store = redisStore({ url: c.url, scanCount: 5 });
    await store.setMany(Array.from({ length: RECORDS }, (_, i) => [`it:k${i}`, `v${i}`] as const));
    const resharding = await reshardingUnderWay(c);
    const moved: boolean[] = [];
    for (let round = 0; round < 3; round++) {
      const start = await owners(c);
      const seen = new Map<string, string>();
      for await (const [key, value] of store.entries('it:')) {
        expect(seen.has(key), key).toBe(false);
        seen.set(key, value);
      }
      moved.push((await owners(c)) !== start);
      expect(seen.size).toBe(RECORDS);
      for (let i = 0; i < RECORDS; i++) expect(seen.get(`it:k${i}`)).toBe(`v${i}`);
    }
    await resharding.stop();
    expect(moved).toContain(true); // slots really moved during an iteration
    await store.close();
  }, 120_000);

  it('rotates every record exactly once, skipping and losing nothing, while slots move', async () => {
    const c = cluster.cluster();
    const [k1, k2] = [generateKey(), generateKey()];
    const vaultOn = (keys: { kid: string; key: Uint8Array }[]) =>
      createVault({
        store: redisStore({ url: c.url, scanCount: 5 }),
        keyring: createKeyring(keys),
        schema: connectionSchema,
        namespace: 'reshard',
      });
    const seed = vaultOn([{ kid: 'k1', key: k1 }]);
    await seed.setMany(Array.from({ length: RECORDS }, (_, i) => [`c${i}`, suiteConnection(`c${i}`)] as const));
    await seed.close();

    const resharding = await reshardingUnderWay(c);
    const start = await owners(c);
    const operator = vaultOn([
      { kid: 'k2', key: k2 },
      { kid: 'k1', key: k1 },
    ]);
    const report = await operator.rotate({ batchSize: 50 });
    const movedDuringRotation = (await owners(c)) !== start;
    await resharding.stop();
    await operator.close();

    expect(movedDuringRotation).toBe(true);
    expect(report).toMatchObject({ scanned: RECORDS, rewrapped: RECORDS, failed: [], kids: { k1: RECORDS } });
    const onlyNew = vaultOn([{ kid: 'k2', key: k2 }]);
    const ids = new Set<string>();
    for await (const [id, record] of onlyNew.entries()) {
      expect(record.idConnection).toBe(id);
      ids.add(id);
    }
    expect(ids.size).toBe(RECORDS);
    expect((await onlyNew.status()).notOnPrimary).toBe(0);
    await onlyNew.close();
  }, 180_000);
});
