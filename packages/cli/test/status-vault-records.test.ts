import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionSchema, createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { suiteConnection } from '@credvault/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/io.js';

const dir = await mkdtemp(join(tmpdir(), 'credvault-cli-status-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());

describe('credvault status: records only, the vault’s own records apart', () => {
  it('does not count the index key as a record, and keeps a kid that still seals it in use', async () => {
    const path = join(dir, 'indexed.db');
    const store = sqliteStore({ path });
    const options = { store, schema: connectionSchema, namespace: 'conns', index: ['connectionToken'] } as const;
    const old = createVault({ ...options, keyring: parseKeyList(K1) });
    for (let i = 0; i < 3; i++) await old.set(`c${i}`, suiteConnection(`c${i}`));
    // The records are written again under k2; the index key stays on k1 until a rotation.
    const next = createVault({ ...options, keyring: parseKeyList(`${K2},${K1}`) });
    for (let i = 0; i < 3; i++) await next.set(`c${i}`, suiteConnection(`c${i}`));
    await store.close();
    const args = ['status', '--store', `sqlite:${path}`, '-n', 'conns'];
    const before = await cli(args, { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('3 records, primary kid k2');
    expect(before.stdout).toContain("the vault's own: 1 index key, 0 tenant key record(s)");
    expect(before.stdout).toMatch(/k1 +0 {2}\(still in use: run credvault rotate\) \(\+1 vault\)/);
    const json = await cli([...args, '--json'], { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(JSON.parse(json.stdout)).toMatchObject({
      total: 3,
      kids: { k2: 3, k1: 0 },
      vaultRecords: { indexKey: 1, kids: { k1: 1 }, notOnPrimary: 1 },
    });
    expect(
      (await cli(['rotate', '--store', `sqlite:${path}`, '-n', 'conns'], { CREDVAULT_KEYS: `${K2},${K1}` })).code,
    ).toBe(0);
    const after = await cli(args, { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(after.stdout).toMatch(/k1 +0 {2}\(no records left: can be retired\)\n/);
  });
});
