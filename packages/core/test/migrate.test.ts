/**
 * `vault.migrate()` (issue 32 item 4): every legacy value rewritten as a `cv1` envelope with
 * compare-and-set, so the application's writes meanwhile win; idempotent; a dry run writes
 * nothing; values that do not read are reported, never written.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  connectionSchema,
  createVault,
  isLegacyValue,
  isVaultError,
  keyvStore,
  memoryStore,
  plaintextJson,
  VaultError,
  type VaultEvent,
  type VaultStore,
} from '@credvault/core';
import fc from 'fast-check';
import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { connection, randomConnection } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

async function legacyStore(count: number): Promise<VaultStore> {
  const store = memoryStore();
  for (let i = 0; i < count; i++) {
    await store.set(`default:r${i}`, JSON.stringify(connection({ idConnection: `r${i}`, status: `s${i}` })));
  }
  return store;
}

const keyring = testKeyring();
/** A copy of `store` without its capability `name`. */
function without(store: VaultStore, name: keyof VaultStore): VaultStore {
  const copy: Record<string, unknown> = { ...store };
  delete copy[name];
  return copy as unknown as VaultStore;
}
const vaultOver = (store: VaultStore, extra: object = {}) =>
  createVault({ store, keyring, schema: connectionSchema, legacy: plaintextJson(), ...extra });

async function values(store: VaultStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [key, value] of store.entries?.('default:') ?? []) out.set(key, value);
  return out;
}

describe('vault.migrate', () => {
  it('rewrites every legacy value as an envelope holding the same record, once', async () => {
    const store = await legacyStore(25);
    const vault = vaultOver(store);
    await vault.set('current', connection());
    const before = new Map<string, unknown>();
    for (let i = 0; i < 25; i++) before.set(`r${i}`, await vault.get(`r${i}`));
    const progress: number[] = [];
    const report = await vault.migrate({ batchSize: 10, onProgress: (p) => progress.push(p.migrated) });
    expect(report).toEqual({
      scanned: 26,
      total: 26,
      migrated: 25,
      alreadyCurrent: 1,
      changedMeanwhile: 0,
      failed: [],
      dryRun: false,
    });
    expect(progress).toEqual([10, 20, 25]);
    for (const [key, value] of await values(store)) expect(isLegacyValue(value), key).toBe(false);
    for (let i = 0; i < 25; i++) expect(await vault.get(`r${i}`)).toEqual(before.get(`r${i}`));
    expect((await vault.status()).legacy).toBe(0);
    const again = await vault.migrate();
    expect(again).toMatchObject({ scanned: 26, migrated: 0, alreadyCurrent: 26 });
  });

  it('a dry run counts and writes nothing', async () => {
    const store = await legacyStore(5);
    await store.set('default:broken', '{"status":42}');
    const snapshot = await values(store);
    const report = await vaultOver(store).migrate({ dryRun: true });
    expect(report).toMatchObject({ scanned: 6, migrated: 5, dryRun: true });
    expect(report.failed).toEqual([{ id: 'broken', code: 'VALIDATION_FAILED', path: 'idConnection' }]);
    expect(await values(store)).toEqual(snapshot);
  });

  it('reports values no reader reads or the schema refuses, and leaves them as they are', async () => {
    const store = await legacyStore(2);
    await store.set('default:gibberish', 'not json at all');
    await store.set('default:invalid', JSON.stringify({ ...connection(), tokenType: 'password' }));
    const report = await vaultOver(store).migrate();
    expect(report.migrated).toBe(2);
    expect(report.failed).toEqual([
      { id: 'gibberish', code: 'DECRYPT_FAILED' },
      { id: 'invalid', code: 'VALIDATION_FAILED', path: 'tokenType' },
    ]);
    expect(await store.get('default:gibberish')).toBe('not json at all');
  });

  it.each([
    ['compare-and-set many', (s: VaultStore) => s],
    ['one compare-and-set at a time', (s: VaultStore): VaultStore => without(s, 'compareAndSetMany')],
  ])('never overwrites a write of the application made between its read and its write (%s)', async (_, shape) => {
    const inner = await legacyStore(6);
    const app = vaultOver(inner);
    const raced = new Set<string>();
    /** Before the migration's write of r1 and r2 lands, the application writes them: r1 as an envelope, r2 as a new legacy value. */
    const race = async (key: string) => {
      if (raced.has(key)) return;
      raced.add(key);
      if (key === 'default:r1') await app.set('r1', connection({ status: 'app-wrote' }));
      if (key === 'default:r2') await inner.set(key, JSON.stringify(connection({ status: 'old-code-wrote' })));
    };
    const store: VaultStore = shape({
      ...inner,
      name: 'racing',
      entries: (prefix) => (inner.entries as NonNullable<VaultStore['entries']>)(prefix),
      get: (key) => inner.get(key),
      compareAndSet: async (key, expected, next) => {
        await race(key);
        return (inner.compareAndSet as NonNullable<VaultStore['compareAndSet']>)(key, expected, next);
      },
      compareAndSetMany: async (entries) => {
        for (const [key] of entries) await race(key);
        return (inner.compareAndSetMany as NonNullable<VaultStore['compareAndSetMany']>)(entries);
      },
    });
    const events: VaultEvent[] = [];
    const vault = vaultOver(store);
    vault.on('migrate', (event) => events.push(event));
    const report = await vault.migrate();
    expect(report).toMatchObject({ migrated: 5, changedMeanwhile: 1, failed: [] });
    expect((await vault.get('r1'))?.status).toBe('app-wrote');
    expect((await vault.get('r2'))?.status).toBe('old-code-wrote');
    expect(isLegacyValue((await inner.get('default:r2')) as string)).toBe(false);
    expect(events.map((e) => e.id).sort()).toEqual(['r0', 'r2', 'r3', 'r4', 'r5']);
  });

  it('keeps a blind index: migrated records are found by their token', async () => {
    const store = await legacyStore(3);
    const vault = vaultOver(store, { index: ['accessToken'] });
    await store.set('default:tok', JSON.stringify(connection({ accessToken: 'find-me' })));
    expect(await vault.findBy('accessToken', 'find-me')).toBeUndefined(); // legacy values have no index entry
    await vault.migrate();
    expect((await vault.findBy('accessToken', 'find-me'))?.id).toBe('tok');
  });

  it('refuses a vault without legacy readers, bad options, and a store without compare-and-set', async () => {
    const store = await legacyStore(1);
    const strict = createVault({ store, keyring: testKeyring(), schema: connectionSchema });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (isVaultError(e) ? [e.code, e.path] : e),
      );
    expect(await code(strict.migrate())).toEqual(['INVALID_ARGUMENT', 'legacy']);
    expect(await code(vaultOver(store).migrate({ batchSize: 0 }))).toEqual(['INVALID_ARGUMENT', 'options.batchSize']);
    expect(await code(vaultOver(store).migrate({ dryRun: 'yes' as never }))).toEqual([
      'INVALID_ARGUMENT',
      'options.dryRun',
    ]);
    const keyv = vaultOver(without(keyvStore(new Keyv()), 'compareAndSet'));
    expect(await code(keyv.migrate())).toEqual(['UNSUPPORTED', undefined]);
  });

  it('fails with the scan when the store fails mid-way, and with the write when a write fails, without hanging', async () => {
    const inner = await legacyStore(30);
    const failingScan: VaultStore = {
      ...inner,
      async *entries(prefix) {
        let n = 0;
        for await (const entry of (inner.entries as NonNullable<VaultStore['entries']>)(prefix)) {
          if (++n === 12) throw new VaultError('STORE_FAILED', 'the scan broke');
          yield entry;
        }
      },
    };
    await expect(vaultOver(failingScan).migrate({ batchSize: 5 })).rejects.toMatchObject({ code: 'STORE_FAILED' });
    const failingWrite: VaultStore = {
      ...inner,
      entries: (prefix) => (inner.entries as NonNullable<VaultStore['entries']>)(prefix),
      compareAndSetMany: async () => {
        throw new VaultError('STORE_FAILED', 'the write broke');
      },
    };
    await expect(vaultOver(failingWrite).migrate({ batchSize: 5 })).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });

  it('property: any record stored as plain JSON reads back after migrate exactly as it read before', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), async (count, batchSize) => {
        const store = memoryStore();
        for (let i = 0; i < count; i++) await store.set(`default:p${i}`, JSON.stringify(randomConnection()));
        const vault = vaultOver(store);
        const before = [];
        for (let i = 0; i < count; i++) before.push(await vault.get(`p${i}`));
        const report = await vault.migrate({ batchSize });
        expect(report.migrated).toBe(count);
        for (let i = 0; i < count; i++) expect(isDeepStrictEqual(await vault.get(`p${i}`), before[i])).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
