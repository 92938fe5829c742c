import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectionSchema, createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { suiteConnection, usePostgresServer, useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFromSpec } from './support/stores.js';

const run = promisify(execFile);
const keys = formatKeyEntry('k1', generateKey());
const dir = await useTempDir('refresh', { afterAll });
const redis = useRedisServer({ beforeAll, afterAll });
const postgres = usePostgresServer({ beforeAll, afterAll });

/** Two processes refresh one expired record through the store at `url` at once. */
async function refreshTwice(url: string): Promise<void> {
  const vault = createVault({
    store: storeFromSpec(url),
    keyring: parseKeyList(keys),
    schema: connectionSchema,
    namespace: 'refresh',
  });
  await vault.set('c1', suiteConnection('c1', { expirationTimestamp: new Date(Date.now() - 1000) }));
  const calls = join(dir, 'calls.txt');
  await writeFile(calls, '');
  const worker = new URL('./support/refresh-worker.ts', import.meta.url).pathname;
  const startAt = String(Date.now() + 2500); // both processes loaded and waiting by then
  const outputs = await Promise.all(
    ['p1', 'p2'].map((name) =>
      run(process.execPath, ['--conditions=@credvault/source', '--import', 'tsx', worker, url, calls, startAt, name], {
        env: { ...process.env, CREDVAULT_KEYS: keys },
      }),
    ),
  );
  const callers = (await readFile(calls, 'utf8')).trim().split('\n');
  expect(callers).toHaveLength(1);
  const tokens = outputs.map(({ stdout }) => (JSON.parse(stdout.trim()) as { accessToken: string }).accessToken);
  expect(tokens).toEqual([`access-from-${callers[0]}`, `access-from-${callers[0]}`]);
  expect((await vault.get('c1'))?.accessToken).toBe(`access-from-${callers[0]}`);
  await vault.close();
}

describe('vault.refresh across processes', () => {
  it.skipIf(!redis.available)(
    'calls the refresher once when two processes refresh one record through Redis at once',
    () => refreshTwice(redis.url()),
    60_000,
  );
  it.skipIf(!postgres.available)(
    'calls the refresher once when two processes refresh one record through PostgreSQL at once',
    () => refreshTwice(postgres.url()),
    60_000,
  );
});
