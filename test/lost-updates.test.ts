import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { usePostgresServer, useRedisCluster, useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterSchema } from './support/counter.js';
import { storeFromSpec } from './support/stores.js';

const run = promisify(execFile);
const dir = await useTempDir('lost-updates', { afterAll });
const keys = formatKeyEntry('k1', generateKey());
const RECORDS = 50;
const PROCESSES = 2;
const WRITERS = 4; // per process: 8 concurrent writers in all
const INCREMENTS = 60; // per writer
const redis = useRedisServer({ beforeAll, afterAll });
const redisCluster = useRedisCluster({ beforeAll, afterAll });
const postgres = usePostgresServer({ beforeAll, afterAll });

async function hammer(spec: string): Promise<void> {
  const store = storeFromSpec(spec);
  const vault = createVault({ store, keyring: parseKeyList(keys), schema: counterSchema, namespace: 'counters' });
  for (let r = 0; r < RECORDS; r++) await vault.set(`r${r}`, { count: 0, token: `secret-${r}`, lastWriter: 'seed' });

  const worker = new URL('./support/counter-worker.ts', import.meta.url).pathname;
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, (_, p) =>
      run(
        process.execPath,
        [
          '--conditions=@credvault/source',
          '--import',
          'tsx',
          worker,
          spec,
          String(WRITERS),
          String(INCREMENTS),
          String(RECORDS),
          `p${p}`,
        ],
        {
          env: { ...process.env, CREDVAULT_KEYS: keys },
        },
      ),
    ),
  );
  const results = outputs.map(({ stdout }) => JSON.parse(stdout.trim()) as { successes: number; retries: number });
  const successes = results.reduce((sum, r) => sum + r.successes, 0);
  let total = 0;
  for await (const [, record] of vault.entries()) total += record.count;
  expect(successes).toBe(PROCESSES * WRITERS * INCREMENTS);
  expect(total).toBe(successes); // zero lost updates
  // The writers really collided: compare-and-set refused stale writes, which were re-read and retried.
  expect(results.reduce((sum, r) => sum + r.retries, 0)).toBeGreaterThan(0);
  await store.close?.();
}

describe('8 concurrent writers, read-modify-write on the same 50 records through compare-and-set', () => {
  it('loses no update on SQLite, from two processes', () => hammer(`sqlite:${join(dir, 'counters.db')}`), 120_000);
  it.skipIf(!redis.available)('loses no update on Redis, from two processes', () => hammer(redis.url()), 120_000);
  it.skipIf(!redisCluster.available)(
    'loses no update on a Redis Cluster, from two processes',
    () => hammer(redisCluster.url()),
    120_000,
  );
  it.skipIf(!postgres.available)(
    'loses no update on PostgreSQL, from two processes',
    () => hammer(postgres.url()),
    120_000,
  );
});
