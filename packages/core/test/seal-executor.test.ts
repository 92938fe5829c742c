/**
 * `vault.migrate({ executor })`: the sealing of a backfill done elsewhere (worker threads in
 * `@credvault/worker-pool`, here an executor in this thread over its own keyring), checked
 * against the vault's keys before anything is written, and never trusted with a write it did
 * not answer for.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  isLegacyValue,
  type LegacyReader,
  legacyMigrator,
  type MigrateResult,
  memoryStore,
  plaintextJson,
  type SealExecutor,
  type SealResult,
  sealBatch,
  type VaultStore,
} from '@credvault/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connection, randomConnection } from './support/fixtures.js';

const key = generateKey();
const vaultKeys = () => createKeyring([{ kid: 'k1', key: key.slice() }]);

/** An executor over its own keyring made from `entries`, counting the records it sealed; `answer` may change what it answers. */
function executorOver(
  entries: { kid: string; key: Uint8Array }[] = [{ kid: 'k1', key: key.slice() }],
  answer: (results: SealResult[], count: number) => SealResult[] = (results) => results,
): SealExecutor & { sealed: number } {
  const keyring = createKeyring(entries);
  const executor = {
    primaryKid: keyring.primaryKid,
    concurrency: 1,
    sealed: 0,
    async seal(namespace: string, records: readonly (readonly [string, string, string])[]) {
      executor.sealed += records.length;
      return answer(await sealBatch(keyring, namespace, records), records.length);
    },
  };
  return executor;
}

/**
 * An executor that also migrates whole, through `legacyMigrator` over its own keyring, schema and
 * legacy readers (the vault's unless given); `answer` may change what it answers.
 */
function wholeExecutorOver(
  options: { legacy?: LegacyReader; answer?: (results: MigrateResult[]) => MigrateResult[] } = {},
): SealExecutor & { sealed: number; migrated: number } {
  const keys = createKeyring([{ kid: 'k1', key: key.slice() }]);
  const migrateBatch = legacyMigrator({ keys, schema: connectionSchema, legacy: options.legacy ?? plaintextJson() });
  const executor = Object.assign(executorOver(), {
    migrated: 0,
    async migrate(namespace: string, values: readonly (readonly [string, string])[]) {
      executor.migrated += values.length;
      const results = await migrateBatch(namespace, values);
      return options.answer === undefined ? results : options.answer(results);
    },
  });
  return executor;
}

async function legacyStore(count: number): Promise<VaultStore> {
  const store = memoryStore();
  for (let i = 0; i < count; i++) {
    await store.set(`default:r${i}`, JSON.stringify(connection({ idConnection: `r${i}`, status: `s${i}` })));
  }
  return store;
}

async function legacyLeft(store: VaultStore): Promise<number> {
  let left = 0;
  for await (const [, value] of store.entries?.('default:') ?? []) if (isLegacyValue(value)) left += 1;
  return left;
}

const vaultOver = (store: VaultStore, extra: object = {}) =>
  createVault({ store, keyring: vaultKeys(), schema: connectionSchema, legacy: plaintextJson(), ...extra });

describe('sealBatch', () => {
  it('seals each record bound to its id, up to its readable text', async () => {
    const keyring = vaultKeys();
    const [a, b] = await sealBatch(keyring, 'ns', [
      ['a', '{"x":1}', '{"s":"one"}'],
      ['b', '{}', '{"s":"two"}'],
    ]);
    expect(typeof a === 'string' && a.startsWith('cv1.k1.')).toBe(true);
    expect(String(a).split('.')).toHaveLength(4);
    const store = memoryStore();
    const reader = createVault({ store, keyring, schema: connectionSchema, namespace: 'ns' });
    // moved to another id, b's envelope no longer opens
    await store.set('ns:a', `${b}.{}`);
    await expect(reader.get('a')).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('refuses records that are not [id, readable, secret] strings, naming the record', async () => {
    await expect(sealBatch(vaultKeys(), 'ns', [['a', '{}', '{}'], ['b', '{}'] as never])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      path: 'records.1',
    });
    await expect(sealBatch({} as never, 'ns', [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', path: 'keys' });
  });
});

describe('vault.migrate({ executor })', () => {
  it.each([
    ['seal every legacy value', () => executorOver(), [0, 1 + 23]], // the canary, then every record
    ['read, validate and seal every legacy value (migrates whole)', () => wholeExecutorOver(), [23, 1]],
  ] as const)('has the executor %s; each reads back as it read before', async (_, make, counts) => {
    const store = await legacyStore(23);
    const vault = vaultOver(store);
    const before = await Promise.all(Array.from({ length: 23 }, (_, i) => vault.get(`r${i}`)));
    const executor: SealExecutor & { sealed: number; migrated?: number } = make();
    const report = await vault.migrate({ batchSize: 5, executor });
    expect(report).toMatchObject({ scanned: 23, migrated: 23, failed: [], changedMeanwhile: 0 });
    expect([executor.migrated ?? 0, executor.sealed]).toEqual(counts);
    expect(await legacyLeft(store)).toBe(0);
    for (let i = 0; i < 23; i++) expect(await vault.get(`r${i}`)).toEqual(before[i]);
  });

  it('refuses an executor with other key bytes or another primary kid before writing anything', async () => {
    for (const entries of [[{ kid: 'k1', key: generateKey() }], [{ kid: 'k2', key: key.slice() }]]) {
      const store = await legacyStore(4);
      await expect(vaultOver(store).migrate({ executor: executorOver(entries) })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        path: 'executor',
      });
      expect(await legacyLeft(store)).toBe(4);
    }
  });

  it('writes nothing of a batch the executor answered wrongly', async () => {
    const wrong: [string, (results: SealResult[], count: number) => SealResult[]][] = [
      ['one result short', (results, count) => (count === 1 ? results : results.slice(1))],
      [
        'another kid',
        (results, count) => (count === 1 ? results : results.map((r) => String(r).replace('cv1.k1.', 'cv1.k9.'))),
      ],
      ['the readable text', (results, count) => (count === 1 ? results : results.map((r) => `${String(r)}.{}`))],
      ['not a result', (results, count) => (count === 1 ? results : results.map(() => 42 as never))],
    ];
    for (const [, answer] of wrong) {
      const store = await legacyStore(6);
      await expect(vaultOver(store).migrate({ executor: executorOver(undefined, answer) })).rejects.toMatchObject({
        code: 'DECRYPT_FAILED',
      });
      expect(await legacyLeft(store)).toBe(6);
    }
  });

  it('reports a record the executor could not seal and leaves it as it was', async () => {
    const store = await legacyStore(6);
    const answer = (results: SealResult[], count: number) =>
      count === 1 ? results : results.map((r, i) => (i === 2 ? { code: 'KEY_UNAVAILABLE' as const } : r));
    const report = await vaultOver(store).migrate({ batchSize: 6, executor: executorOver(undefined, answer) });
    expect(report.migrated).toBe(5);
    expect(report.failed).toEqual([{ id: 'r2', code: 'KEY_UNAVAILABLE' }]);
    expect(isLegacyValue(String(await store.get('default:r2')))).toBe(true);
    expect(await legacyLeft(store)).toBe(1);
  });

  it('seals in this thread where the vault has tenant keys (the executor holds master keys only)', async () => {
    const store = await legacyStore(5);
    const vault = vaultOver(store, { tenant: 'idProject' });
    const executor = executorOver();
    expect((await vault.migrate({ executor })).migrated).toBe(5);
    expect(executor.sealed).toBe(0);
    expect((await vault.get('r3'))?.idConnection).toBe('r3');
  });
});

describe('legacyMigrator', () => {
  const migrateBatch = legacyMigrator({ keys: vaultKeys(), schema: connectionSchema, legacy: plaintextJson() });

  it('reads, validates and seals each legacy value bound to its id, naming its reader', async () => {
    const store = memoryStore();
    const [result] = await migrateBatch('default', [['a', JSON.stringify(connection({ status: 'one' }))]]);
    expect(Array.isArray(result) && result[1]).toBe('plaintext-json');
    await store.set('default:a', String((result as readonly string[])[0]));
    expect((await vaultOver(store).get('a'))?.status).toBe('one');
    await store.set('default:b', String((result as readonly string[])[0])); // moved to another id
    await expect(vaultOver(store).get('b')).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('answers the code and path of a value it cannot migrate, never the value', async () => {
    const results = await migrateBatch('default', [
      ['a', 'not json'],
      ['b', JSON.stringify({ ...connection(), expirationTimestamp: 'tomorrow' })],
      ['c', 'cv1.k1.x.y.{}'],
    ]);
    expect(results).toEqual([
      { code: 'DECRYPT_FAILED' },
      { code: 'VALIDATION_FAILED', path: 'expirationTimestamp' },
      { code: 'DECRYPT_FAILED' },
    ]);
  });

  it('refuses values that are not [id, stored] strings, and options it cannot use', async () => {
    await expect(migrateBatch('default', [['a', '{}', '{}'] as never])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      path: 'values.0',
    });
    expect(() => legacyMigrator({ keys: {} as never, schema: connectionSchema, legacy: plaintextJson() })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'keys' }),
    );
    expect(() => legacyMigrator({ keys: vaultKeys(), schema: connectionSchema, legacy: {} as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'legacy' }),
    );
  });
});

describe('vault.migrate({ executor }) with an executor that migrates whole', () => {
  it('stops before writing a batch whose first envelope is not what the vault makes of the value', async () => {
    const otherReader = plaintextJson({ map: (parsed) => ({ ...(parsed as object), status: 'changed' }) });
    const renamed = { ...plaintextJson(), name: 'another-reader' };
    for (const executor of [wholeExecutorOver({ legacy: otherReader }), wholeExecutorOver({ legacy: renamed })]) {
      const store = await legacyStore(6);
      await expect(vaultOver(store).migrate({ batchSize: 3, executor })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        path: 'executor',
      });
      expect(await legacyLeft(store)).toBe(6);
    }
  });

  it('writes nothing of a batch the executor answered wrongly', async () => {
    const wrong: ((results: MigrateResult[]) => MigrateResult[])[] = [
      (results) => results.slice(1),
      (results) => results.map((r) => (Array.isArray(r) ? [String(r[0]).replace('cv1.k1.', 'cv1.k9.'), r[1]] : r)),
      (results) => results.map(() => 42 as never),
      (results) => results.map((r) => (Array.isArray(r) ? [r[0]] : r) as never),
    ];
    for (const answer of wrong) {
      const store = await legacyStore(6);
      await expect(vaultOver(store).migrate({ executor: wholeExecutorOver({ answer }) })).rejects.toMatchObject({
        code: 'DECRYPT_FAILED',
      });
      expect(await legacyLeft(store)).toBe(6);
    }
  });

  it('reports a value neither the executor nor the vault can migrate and leaves it as it was', async () => {
    const store = await legacyStore(6);
    await store.set('default:r2', JSON.stringify({ ...connection(), status: 5 }));
    const report = await vaultOver(store).migrate({ batchSize: 6, executor: wholeExecutorOver() });
    expect(report.migrated).toBe(5);
    expect(report.failed).toEqual([{ id: 'r2', code: 'VALIDATION_FAILED', path: 'status' }]);
    expect(await legacyLeft(store)).toBe(1);
  });

  it('stops before writing a batch where the executor failed a value the vault migrates', async () => {
    const store = await legacyStore(6);
    const answer = (results: MigrateResult[]) =>
      results.map((r, i) => (i === 2 ? { code: 'VALIDATION_FAILED' as const, path: 'status' } : r));
    await expect(
      vaultOver(store).migrate({ batchSize: 6, executor: wholeExecutorOver({ answer }) }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', path: 'executor' });
    expect(await legacyLeft(store)).toBe(6);
  });

  it('seals in this thread where a blind index needs upkeep', async () => {
    const store = await legacyStore(5);
    const executor = wholeExecutorOver();
    const vault = vaultOver(store, { index: ['accessToken'] });
    expect((await vault.migrate({ executor })).migrated).toBe(5);
    expect([executor.migrated, executor.sealed]).toEqual([0, 1 + 5]);
    const { accessToken } = connection();
    expect(await vault.findBy('accessToken', accessToken)).toMatchObject({ record: { accessToken } });
  });

  it.each([
    ['seals', () => executorOver()],
    ['migrates whole', () => wholeExecutorOver()],
  ])(
    'property: any record stored as plain JSON reads back exactly after a migration through an executor that %s',
    async (_, make) => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), async (count, batchSize) => {
          const store = memoryStore();
          for (let i = 0; i < count; i++) await store.set(`default:p${i}`, JSON.stringify(randomConnection()));
          const vault = vaultOver(store);
          const before = [];
          for (let i = 0; i < count; i++) before.push(await vault.get(`p${i}`));
          expect((await vault.migrate({ batchSize, executor: make() })).migrated).toBe(count);
          for (let i = 0; i < count; i++) expect(isDeepStrictEqual(await vault.get(`p${i}`), before[i])).toBe(true);
        }),
        { numRuns: 30 },
      );
    },
  );
});
