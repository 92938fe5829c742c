import { join } from 'node:path';
import {
  type Connection,
  connectionSchema,
  createVault,
  formatKeyEntry,
  generateKey,
  parseKeyList,
  toDate,
} from '@credvault/core';
import { suiteConnection, usePostgresServer, useRedisCluster, useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { storeFromSpec } from './support/stores.js';

const RECORDS = 10_000;
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
const dir = await useTempDir('rotate-10k', { afterAll });
const redis = useRedisServer({ beforeAll, afterAll });
const redisCluster = useRedisCluster({ beforeAll, afterAll });
const postgres = usePostgresServer({ beforeAll, afterAll });

const input = (i: number) =>
  suiteConnection(`c${i}`, { status: `s${i}`, accessToken: `access-${i}-${'x'.repeat(i % 300)}` });

async function rotate10k(spec: string): Promise<void> {
  const seedStore = storeFromSpec(spec);
  const seed = createVault({ store: seedStore, keyring: parseKeyList(K1), schema: connectionSchema, namespace: 'big' });
  for (let start = 0; start < RECORDS; start += 2000) {
    await seed.setMany(Array.from({ length: 2000 }, (_, j) => [`c${start + j}`, input(start + j)] as const));
  }
  await seed.close();

  const run = await runCli(
    ['rotate', '--store', spec, '--namespace', 'big', '--json', '--batch-size', '500'],
    `${K2},${K1}`,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({
    scanned: RECORDS,
    rewrapped: RECORDS,
    failed: [],
    kids: { k1: RECORDS },
  });

  const store = storeFromSpec(spec);
  const onlyNew = createVault({ store, keyring: parseKeyList(K2), schema: connectionSchema, namespace: 'big' });
  let seen = 0;
  for await (const [id, record] of onlyNew.entries()) {
    const i = Number(id.slice(1));
    const want = input(i);
    expect(record).toStrictEqual({
      ...want,
      expirationTimestamp: toDate(want.expirationTimestamp),
      createdAt: toDate(want.createdAt),
    } as Connection);
    seen += 1;
  }
  expect(seen).toBe(RECORDS);
  await onlyNew.close();

  const status = await runCli(['status', '--store', spec, '--namespace', 'big', '--json'], `${K2},${K1}`);
  expect(JSON.parse(status.stdout)).toMatchObject({ total: RECORDS, kids: { k2: RECORDS, k1: 0 }, notOnPrimary: 0 });
}

describe('credvault rotate of 10,000 records', () => {
  it(
    'moves every record on SQLite to the new key, each equal to what was stored',
    () => rotate10k(`sqlite:${join(dir, 'big.db')}`),
    180_000,
  );
  it.skipIf(!redis.available)(
    'moves every record on Redis to the new key, each equal to what was stored',
    () => rotate10k(redis.url()),
    180_000,
  );
  it.skipIf(!redisCluster.available)(
    'moves every record on a Redis Cluster to the new key, each equal to what was stored',
    () => rotate10k(redisCluster.url()),
    180_000,
  );
  it.skipIf(!postgres.available)(
    'moves every record on PostgreSQL to the new key, each equal to what was stored',
    () => rotate10k(postgres.url()),
    180_000,
  );
});
