import { availableParallelism } from 'node:os';
import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  isLegacyValue,
  isVaultError,
  memoryStore,
  plaintextJson,
  type VaultStore,
} from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { suiteConnection, useTempDir } from '@credvault/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPoolSize, rewrapPool } from '../src/index.js';

const oldKey = { kid: 'old', key: generateKey() };
const newKey = { kid: 'new', key: generateKey() };
const dir = await useTempDir('worker-pool', { afterAll });

async function seeded(store: VaultStore, count: number) {
  const before = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionSchema, namespace: 'c' });
  await before.setMany(Array.from({ length: count }, (_, i) => [`r${i}`, suiteConnection(`r${i}`)] as const));
  return createVault({ store, keyring: createKeyring([newKey, oldKey]), schema: connectionSchema, namespace: 'c' });
}

describe('rewrapPool', () => {
  it('starts one worker per core but one by default, and at least one', async () => {
    expect([1, 2, 3, 8, 64].map(defaultPoolSize)).toEqual([1, 1, 2, 7, 63]);
    const pool = rewrapPool({ keys: [newKey, oldKey] });
    expect(pool.concurrency).toBe(Math.max(1, availableParallelism() - 1));
    await pool.close();
  });

  it.each([
    ['memory', () => memoryStore()],
    ['SQLite', () => sqliteStore({ path: `${dir}/pool.db` })],
  ])('rotates every record on %s through worker threads, byte for byte as the main thread would', async (_, open) => {
    const store = open();
    const vault = await seeded(store, 1200);
    const tampered = (await store.get('c:r7')) as string;
    await store.set('c:r7', `${tampered.slice(0, -2)}x}`); // the readable part no longer authenticates
    const pool = rewrapPool({ keys: [newKey, oldKey], size: 2 });
    try {
      const report = await vault.rotate({ executor: pool, batchSize: 100 });
      expect(report.rewrapped).toBe(1199);
      expect(report.failed).toEqual([{ id: 'r7', code: 'DECRYPT_FAILED' }]);
      expect((await vault.status()).kids).toEqual({ new: 1199, old: 1 });
      expect((await vault.get('r1100'))?.idConnection).toBe('r1100');
      expect(await store.get('c:r7')).toBe(`${tampered.slice(0, -2)}x}`); // left exactly as it was
      // Only the head comes back (kid and wrapped key); the vault keeps the stored sealed part and readable text.
      const again = await seeded(memoryStore(), 1);
      const envelope = (await again.store.get('c:r0')) as string;
      const moved = await pool.rewrap('c', [['r0', envelope]]);
      expect(moved[0]).toMatch(/^cv1\.new\.[A-Za-z0-9_-]{96}$/); // a 72-byte wrapped data key
      expect(moved[0]).not.toBe(envelope.split('.').slice(0, 3).join('.'));
      expect((await again.rotate({ executor: pool })).rewrapped).toBe(1);
      expect(await again.get('r0')).toEqual(await vault.get('r0'));
    } finally {
      await pool.close();
      await vault.close();
    }
  });

  it('refuses a pool whose primary key is not the vault’s, and batches after close', async () => {
    const vault = await seeded(memoryStore(), 3);
    const pool = rewrapPool({ keys: [oldKey], size: 1 });
    const error = await vault.rotate({ executor: pool }).catch((e: unknown) => e);
    expect(isVaultError(error, 'INVALID_ARGUMENT') && error.path).toBe('executor');
    await pool.close();
    await expect(pool.rewrap('c', [])).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(() => rewrapPool({ keys: [oldKey], size: 0 })).toThrow(/size/);
    expect(() => rewrapPool({ keys: [] })).toThrow(/no key/);
  });

  it('refuses a pool whose primary kid is the vault’s but whose key bytes are not, before writing anything', async () => {
    const store = memoryStore();
    const vault = await seeded(store, 4);
    const before = await store.get('c:r2');
    const impostor = rewrapPool({ keys: [{ kid: 'new', key: generateKey() }, oldKey], size: 1 });
    try {
      const error = await vault.rotate({ executor: impostor }).catch((e: unknown) => e);
      expect(isVaultError(error, 'INVALID_ARGUMENT') && error.path).toBe('executor');
      expect(await store.get('c:r2')).toBe(before); // nothing written that nobody could open
      expect((await vault.status()).kids).toEqual({ old: 4 });
    } finally {
      await impostor.close();
    }
  });

  it('refuses every batch, never hangs, once a worker has died', async () => {
    // Workers given a key of the wrong length die while starting (their keyring refuses it).
    const pool = rewrapPool({ keys: [{ kid: 'new', key: new Uint8Array(7) }], size: 1 });
    try {
      const first = await pool.rewrap('c', [['r0', 'cv1.x']]).catch((e: unknown) => e);
      expect(isVaultError(first, 'KEY_UNAVAILABLE')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the thread has exited by now
      // A later batch is refused at once instead of waiting on a dead thread forever.
      const later = await Promise.race([
        pool.rewrap('c', [['r1', 'cv1.x']]).catch((e: unknown) => e),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 2000)),
      ]);
      expect(isVaultError(later, 'KEY_UNAVAILABLE')).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('records a key the workers lack as UNKNOWN_KEY and leaves the record', async () => {
    const vault = await seeded(memoryStore(), 5);
    const pool = rewrapPool({ keys: [newKey], size: 1 });
    try {
      const report = await vault.rotate({ executor: pool });
      expect(report.rewrapped).toBe(0);
      expect(report.failed.map((f) => f.code)).toEqual(Array(5).fill('UNKNOWN_KEY'));
      expect((await vault.status()).kids).toEqual({ old: 5 });
    } finally {
      await pool.close();
    }
  });
});

/** `count` Connections as plain JSON in `store`, and a vault with a legacy reader over it. */
async function legacyVault(store: VaultStore, count: number) {
  await store.setMany?.(
    Array.from({ length: count }, (_, i) => [`c:r${i}`, JSON.stringify(suiteConnection(`r${i}`))] as const),
  );
  const vault = createVault({
    store,
    keyring: createKeyring([newKey, oldKey]),
    schema: connectionSchema,
    namespace: 'c',
    legacy: plaintextJson(),
  });
  const legacyLeft = async () => {
    let left = 0;
    for await (const [, value] of store.entries?.('c:') ?? []) if (isLegacyValue(value)) left += 1;
    return left;
  };
  return { vault, legacyLeft };
}

/** The `migrate` module of these tests (see the fixture). */
const setup = new URL('./fixtures/migrate-setup.mjs', import.meta.url);

describe('rewrapPool as the executor of vault.migrate', () => {
  it.each([
    ['memory, sealed on worker threads', () => memoryStore(), undefined, 0],
    ['SQLite, sealed on worker threads', () => sqliteStore({ path: `${dir}/migrate.db` }), undefined, 0],
    [
      'SQLite, read, validated and sealed on worker threads (migrate)',
      () => sqliteStore({ path: `${dir}/whole.db` }),
      { module: setup },
      1200,
    ],
  ] as const)('backfills every legacy value on %s', async (_, open, migrate, whole) => {
    const { vault, legacyLeft } = await legacyVault(open(), 1200);
    const before = await vault.get('r1111');
    const pool = rewrapPool({ keys: [newKey, oldKey], size: 2, ...(migrate === undefined ? {} : { migrate }) });
    let migrated = 0;
    const executor =
      pool.migrate === undefined
        ? pool
        : {
            ...pool,
            migrate: async (namespace: string, values: readonly (readonly [string, string])[]) => {
              migrated += values.length;
              return (await pool.migrate?.(namespace, values)) ?? [];
            },
          };
    try {
      const report = await vault.migrate({ executor, batchSize: 100 });
      expect(report).toMatchObject({ scanned: 1200, migrated: 1200, failed: [] });
      expect(migrated).toBe(whole);
      expect(await legacyLeft()).toBe(0);
      expect((await vault.status()).kids).toEqual({ new: 1200 });
      expect(await vault.get('r1111')).toEqual(before);
    } finally {
      await pool.close();
      await vault.close();
    }
  });

  it('seals records whose id holds U+0000 too (sent unpacked), bound to that id', async () => {
    const pool = rewrapPool({ keys: [newKey], size: 1 });
    try {
      const [plain, odd] = await pool.seal('c', [
        ['a', '{}', '{"s":"1"}'],
        ['b\u0000c', '{}', '{"s":"2"}'],
      ]);
      expect(String(plain)).toMatch(/^cv1\.new\./);
      const store = memoryStore();
      const reader = createVault({ store, keyring: createKeyring([newKey]), schema: connectionSchema, namespace: 'c' });
      await store.set('c:a', `${String(odd)}.{}`); // sealed for "b\u0000c": does not open as "a"
      await expect(reader.get('a')).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
      await expect(pool.seal('c', [['a', 'b', 42 as never]])).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' });
    } finally {
      await pool.close();
    }
  });
});

describe('rewrapPool({ migrate }) migrating legacy values whole for vault.migrate', () => {
  it('stops before writing when the workers’ schema is not the vault’s', async () => {
    const { vault, legacyLeft } = await legacyVault(sqliteStore({ path: `${dir}/other-schema.db` }), 300);
    const pool = rewrapPool({
      keys: [newKey],
      size: 1,
      migrate: { module: setup, data: { schema: 'connection-auth' } },
    });
    try {
      await expect(vault.migrate({ executor: pool, batchSize: 100 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        path: 'executor',
      });
      expect(await legacyLeft()).toBe(300);
    } finally {
      await pool.close();
      await vault.close();
    }
  });

  it('refuses a module that does not load (every migrate batch), a relative one or one that does not resolve (at once)', async () => {
    const pool = rewrapPool({ keys: [newKey], size: 1, migrate: { module: new URL('./fixtures/none.mjs', setup) } });
    try {
      await expect(pool.migrate?.('c', [['a', '{}']])).rejects.toMatchObject({
        code: 'KEY_UNAVAILABLE',
        message: expect.stringContaining('the migrate module failed'),
      });
    } finally {
      await pool.close();
    }
    expect(() => rewrapPool({ keys: [newKey], migrate: { module: '@credvault/no-such-package' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'migrate.module' }),
    );
    // A relative path would resolve from the worker-pool package, not the caller's file.
    for (const module of ['./fixtures/migrate-setup.mjs', '../test/fixtures/migrate-setup.mjs']) {
      expect(() => rewrapPool({ keys: [newKey], migrate: { module } })).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          path: 'migrate.module',
          message: expect.stringContaining('new URL('),
        }),
      );
    }
    expect(rewrapPool({ keys: [newKey], size: 1 }).migrate).toBeUndefined();
  });
});
