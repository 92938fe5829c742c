import {
  connectionAuthSchema,
  connectionSchema,
  createKeyring,
  createVault,
  defineCredentialSchema,
  generateKey,
  type KeyEncryptionKeys,
  Keyring,
  memoryStore,
  type RecordCacheOptions,
} from '@credvault/core';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { xchacha } from '../src/aead.js';
import { copyRecord } from '../src/record-cache.js';
import { connection, connectionAuth } from './support/fixtures.js';

/** A local keyring that counts its unwraps: with no unwrap cache, every read the record cache does not answer unwraps once. */
class CountingKeyring extends Keyring {
  unwraps = 0;
  override unwrap(kid: string, wrapped: Uint8Array, context: Uint8Array): Uint8Array {
    this.unwraps += 1;
    return super.unwrap(kid, wrapped, context);
  }
}

const entry = { kid: 'k1', key: generateKey() };

/** A vault whose only read cache is the record cache (`recordCache` options), so that every miss shows as an unwrap. */
function setup(recordCache: RecordCacheOptions | false = {}) {
  const keyring = new CountingKeyring([entry]);
  const store = memoryStore();
  const vault = createVault({
    store,
    keyring,
    schema: connectionSchema,
    namespace: 'r',
    unwrapCache: false,
    recordCache,
  });
  return { keyring, store, vault };
}

/** Every AEAD open (data-key unwraps and secret decryptions alike). */
let opens: MockInstance;
beforeEach(() => {
  opens = vi.spyOn(xchacha, 'open');
});
afterEach(() => vi.restoreAllMocks());

describe('the vault’s record cache', () => {
  it('is on by default for a local Keyring: a record read again is neither unwrapped nor decrypted again', async () => {
    const keyring = createKeyring([entry]);
    const store = memoryStore();
    const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'r' });
    const other = createVault({ store, keyring, schema: connectionSchema, namespace: 'r', recordCache: false });
    await other.set('a', connection());
    const first = await vault.get('a');
    expect(opens).toHaveBeenCalledTimes(2); // the data key, then the secrets
    for (let i = 0; i < 5; i++) expect(await vault.get('a')).toEqual(first);
    expect(opens).toHaveBeenCalledTimes(2);
    expect(await other.get('a')).toEqual(first); // what opening gives, without the record cache
    expect(opens).toHaveBeenCalledTimes(4);
  });

  it('answers the first read of a record this vault wrote from what it wrote, the same record a fresh read opens', async () => {
    const { keyring, store, vault } = setup();
    await vault.set('a', connection());
    const cached = await vault.getEntry('a');
    expect(keyring.unwraps).toBe(0);
    expect(opens).not.toHaveBeenCalled();
    const fresh = createVault({ store, keyring, schema: connectionSchema, namespace: 'r', recordCache: false });
    const opened = await fresh.getEntry('a');
    expect(keyring.unwraps).toBe(1);
    expect(cached).toEqual(opened);
    expect(cached?.record.createdAt).toBeInstanceOf(Date);
    expect(cached?.storedAt).toBeInstanceOf(Date);
  });

  it('hands every caller its own copy: changing one changes neither the cache nor the next read', async () => {
    const schema = connectionAuthSchema;
    const vault = createVault({ store: memoryStore(), keyring: createKeyring([entry]), schema });
    await vault.set('a', connectionAuth());
    await vault.get('a');
    const one = await vault.get('a');
    if (one === undefined) throw new Error('no record');
    one.emails?.push('intruder@example.com');
    (one.meta as { region: string }).region = 'changed';
    one.expiryDate?.setTime(0);
    const two = await vault.get('a');
    expect(two?.emails).toEqual(['ops@example.com', 'zoë@exämple.com']);
    expect(two?.meta?.['region']).toBe('eu-1');
    expect(two?.expiryDate?.toISOString()).toBe('2025-01-31T22:59:59.999Z');
  });

  it('never returns a record the store no longer holds: another writer’s record is opened, a deleted one is gone', async () => {
    const { keyring, store, vault } = setup();
    const other = createVault({ store, keyring, schema: connectionSchema, namespace: 'r' });
    await vault.set('a', connection({ status: 'mine' }));
    expect((await vault.get('a'))?.status).toBe('mine');
    await other.set('a', connection({ status: 'theirs' }));
    expect((await vault.get('a'))?.status).toBe('theirs');
    await other.delete('a');
    expect(await vault.get('a')).toBeUndefined();
  });

  it('still fails a record altered in the store, however often it was read before', async () => {
    const { store, vault } = setup();
    await vault.set('a', connection());
    await vault.get('a');
    const stored = store.map.get('r:a') as string;
    store.map.set('r:a', stored.replace('"status":"active"', '"status":"revoked"'));
    await expect(vault.get('a')).rejects.toMatchObject({ code: 'DECRYPT_FAILED', id: 'a' });
    store.map.set('r:a', stored);
    expect((await vault.get('a'))?.status).toBe('active');
  });

  it('forgets a record ttlMs after it was read, and the least recently used one past maxEntries', async () => {
    let now = 0;
    const { keyring, vault } = setup({ maxEntries: 2, ttlMs: 1000, now: () => now });
    for (const id of ['a', 'b', 'c']) await vault.set(id, connection());
    expect(keyring.unwraps).toBe(0);
    await vault.get('a'); // 'a' fell out when 'c' was written
    expect(keyring.unwraps).toBe(1);
    await vault.get('c');
    expect(keyring.unwraps).toBe(1);
    now = 1000; // both expired
    await vault.get('c');
    await vault.get('a');
    expect(keyring.unwraps).toBe(3);
    await vault.get('a');
    expect(keyring.unwraps).toBe(3);
  });

  it('is off with recordCache: false, with unwrapCache: false, and for a keyring that is not local unless asked', async () => {
    const { keyring, vault } = setup(false);
    await vault.set('a', connection());
    await vault.get('a');
    await vault.get('a');
    expect(keyring.unwraps).toBe(2);

    const noUnwrapCache = new CountingKeyring([entry]);
    const plain = createVault({
      store: memoryStore(),
      keyring: noUnwrapCache,
      schema: connectionSchema,
      unwrapCache: false,
    });
    await plain.set('a', connection());
    await plain.get('a');
    expect(noUnwrapCache.unwraps).toBe(1);

    const inner = new CountingKeyring([entry]);
    const remote: KeyEncryptionKeys = {
      primaryKid: 'k1',
      kids: ['k1'],
      has: (kid) => inner.has(kid),
      wrap: (kid, dek, context) => inner.wrap(kid, dek, context),
      unwrap: (kid, wrapped, context) => inner.unwrap(kid, wrapped, context),
    };
    for (const [recordCache, expected] of [
      [undefined, 2],
      [{}, 0],
    ] as const) {
      inner.unwraps = 0;
      const vault = createVault({
        store: memoryStore(),
        keyring: remote,
        schema: connectionSchema,
        ...(recordCache === undefined ? {} : { recordCache }),
      });
      await vault.set('a', connection());
      await vault.get('a');
      await vault.get('a');
      expect(inner.unwraps).toBe(expected);
    }
  });

  it('is never used by verify, and is emptied by close()', async () => {
    const { keyring, vault } = setup();
    await vault.set('a', connection());
    await vault.get('a');
    expect(keyring.unwraps).toBe(0);
    expect((await vault.verify()).failed).toEqual([]);
    expect(keyring.unwraps).toBe(1);
    await vault.close();
    await vault.get('a'); // opened again: nothing was left in the cache
    expect(keyring.unwraps).toBe(2);
  });

  it('emits get on every read it answers', async () => {
    const { vault } = setup();
    await vault.set('a', connection());
    const seen: string[] = [];
    vault.on('get', (event) => seen.push(event.id));
    await vault.get('a');
    await vault.get('a');
    expect(seen).toEqual(['a', 'a']);
  });

  it('is refused together with tenant keys, and absent from a tenant vault by default', async () => {
    const keyring = new CountingKeyring([entry]);
    const options = { store: memoryStore(), keyring, schema: connectionSchema, tenant: 'idProject' } as const;
    expect(() => createVault({ ...options, recordCache: {} })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'recordCache' }),
    );
    const vault = createVault(options);
    await vault.set('a', connection());
    opens.mockClear();
    expect((await vault.get('a'))?.status).toBe('active');
    expect((await vault.get('a'))?.status).toBe('active');
    expect(opens).toHaveBeenCalledTimes(4); // each read unwraps under the tenant key and decrypts
  });

  it.each([
    [{ maxEntries: 0 }, 'recordCache.maxEntries'],
    [{ ttlMs: 1.5 }, 'recordCache.ttlMs'],
  ])('refuses %o', (recordCache, path) => {
    expect(() => createVault({ keyring: createKeyring([entry]), schema: connectionSchema, recordCache })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path }),
    );
  });

  it('does not cache a record holding something other than plain data (a class instance a custom schema made)', async () => {
    class Token {
      constructor(readonly value: string) {}
    }
    const schema = defineCredentialSchema(
      v.strictObject({
        name: v.string(),
        token: v.pipe(
          v.union([v.string(), v.strictObject({ value: v.string() })]),
          v.transform((token) => new Token(typeof token === 'string' ? token : token.value)),
        ),
      }),
      { secret: ['token'] },
    );
    const keyring = new CountingKeyring([entry]);
    const vault = createVault({ store: memoryStore(), keyring, schema, unwrapCache: false, recordCache: {} });
    await vault.set('a', { name: 'n', token: 'secret-token' });
    for (let i = 0; i < 3; i++) expect((await vault.get('a'))?.token).toEqual(new Token('secret-token'));
    expect(keyring.unwraps).toBe(2); // the first read decoded what the vault wrote; none was kept
  });
});

describe('copyRecord', () => {
  it('copies plain objects, arrays and Dates, sharing nothing; keeps an own "__proto__" key a key', () => {
    const value = JSON.parse('{"a":[1,{"b":"c"}],"__proto__":{"polluted":true}}') as Record<string, unknown>;
    value['d'] = new Date(5);
    const copy = copyRecord(value) as Record<string, unknown>;
    expect(copy).toEqual(value);
    expect(copy['a']).not.toBe(value['a']);
    expect(copy['d']).not.toBe(value['d']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers undefined for class instances, Maps and functions anywhere inside', () => {
    for (const inner of [new Map(), new (class X {})(), () => 1, new Uint8Array(2)]) {
      expect(copyRecord({ a: [{ inner }] })).toBeUndefined();
    }
  });
});
