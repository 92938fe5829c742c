import { join } from 'node:path';
import { createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { usePostgresServer, useRedisCluster, useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterSchema } from './support/counter.js';
import { storeFromSpec } from './support/stores.js';

const RECORDS = 2000;
const WRITERS = 4;
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
const dir = await useTempDir('rotate-writers', { afterAll });
const redis = useRedisServer({ beforeAll, afterAll });
const redisCluster = useRedisCluster({ beforeAll, afterAll });
const postgres = usePostgresServer({ beforeAll, afterAll });

async function rotateWhileWriting(spec: string): Promise<void> {
  const seed = createVault({
    store: storeFromSpec(spec),
    keyring: parseKeyList(K1),
    schema: counterSchema,
    namespace: 'live',
  });
  await seed.setMany(
    Array.from({ length: RECORDS }, (_, i) => [`r${i}`, { count: 0, token: `t${i}`, lastWriter: 'seed' }] as const),
  );
  await seed.close();

  // Every instance has the new key promoted (rotation step 2) before the rotation runs.
  const app = createVault({
    store: storeFromSpec(spec),
    keyring: parseKeyList(`${K2},${K1}`),
    schema: counterSchema,
    namespace: 'live',
  });
  const operator = createVault({
    store: storeFromSpec(spec),
    keyring: parseKeyList(`${K2},${K1}`),
    schema: counterSchema,
    namespace: 'live',
  });
  const expected = new Map<string, number>();
  let rotating = true;
  const writers = Array.from({ length: WRITERS }, async (_, w) => {
    let writes = 0;
    while (rotating || writes < 50) {
      const id = `r${Math.floor(Math.random() * RECORDS)}`;
      const updated = await app.update(id, (c) => c && { ...c, count: c.count + 1, lastWriter: `w${w}` });
      expected.set(id, updated?.count ?? Number.NaN);
      writes += 1;
    }
    return writes;
  });
  const report = await operator.rotate({ batchSize: 50 });
  rotating = false;
  const writes = (await Promise.all(writers)).reduce((a, b) => a + b, 0);

  expect(report.failed).toEqual([]);
  expect(writes).toBeGreaterThan(WRITERS * 50 - 1);
  expect(report.changedMeanwhile + report.alreadyCurrent).toBeGreaterThan(0); // the writers really raced the rotation
  const onlyNew = createVault({
    store: storeFromSpec(spec),
    keyring: parseKeyList(K2),
    schema: counterSchema,
    namespace: 'live',
  });
  let total = 0;
  for await (const [id, record] of onlyNew.entries()) {
    expect(record.count, id).toBe(expected.get(id) ?? 0); // the writers' last value, never overwritten
    total += 1;
  }
  expect(total).toBe(RECORDS);
  expect((await onlyNew.status()).notOnPrimary).toBe(0);
  await Promise.all([app.close(), operator.close(), onlyNew.close()]);
}

describe('rotation while the application keeps writing', () => {
  it(
    'keeps every write and moves every record on SQLite',
    () => rotateWhileWriting(`sqlite:${join(dir, 'live.db')}`),
    120_000,
  );
  it.skipIf(!redis.available)(
    'keeps every write and moves every record on Redis',
    () => rotateWhileWriting(redis.url()),
    120_000,
  );
  it.skipIf(!redisCluster.available)(
    'keeps every write and moves every record on a Redis Cluster',
    () => rotateWhileWriting(redisCluster.url()),
    120_000,
  );
  it.skipIf(!postgres.available)(
    'keeps every write and moves every record on PostgreSQL',
    () => rotateWhileWriting(postgres.url()),
    120_000,
  );
});
