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
import { xchacha } from '../src/crypto/aead.js';
import { copyRecord, RecordCache } from '../src/records/record-cache.js';
import { connection, connectionAuth } from './support/fixtures.js';

const entry = { kid: 'k1', key: generateKey() };

/** Every AEAD open: a read the record cache does not answer makes two (the data key, then the secrets). */
let opens: MockInstance;
beforeEach(() => {
  opens = vi.spyOn(xchacha, 'open');
});
afterEach(() => vi.restoreAllMocks());

/** A vault over a plain local Keyring whose only read cache is the record cache. */
function setup(recordCache: RecordCacheOptions | false = {}) {
  const keyring = createKeyring([entry]);
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

/** A keyring that is not a local Keyring (as a KMS-backed one is not), counting its unwraps. */
function remoteShaped(): KeyEncryptionKeys & { unwraps: number } {
  const inner = createKeyring([entry]);
  return {
    unwraps: 0,
    primaryKid: 'k1',
    kids: ['k1'],
    has: (kid) => inner.has(kid),
    wrap: (kid, dek, context) => inner.wrap(kid, dek, context),
    unwrap(kid, wrapped, context) {
      this.unwraps += 1;
      return inner.unwrap(kid, wrapped, context);
    },
  };
}

describe('the vault’s record cache', () => {
  it('is on by default for a local Keyring: a record read again is neither unwrapped nor decrypted again', async () => {
    const keyring = createKeyring([entry]);
    const store = memoryStore();
    const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'r' });
    const other = createVault({ store, keyring, schema: connectionSchema, namespace: 'r', recordCache: false });
    await other.set('a', connection());
    const first = await vault.get('a');
    expect(opens).toHaveBeenCalledTimes(2);
    for (let i = 0; i < 5; i++) expect(await vault.get('a')).toEqual(first);
    expect(opens).toHaveBeenCalledTimes(2);
    expect(await other.get('a')).toEqual(first); // what opening gives, without the record cache
    expect(opens).toHaveBeenCalledTimes(4);
  });

  it('answers the first read of a record this vault wrote from what it wrote, the same record a fresh read opens', async () => {
    const { keyring, store, vault } = setup();
    await vault.set('a', connection());
    const cached = await vault.getEntry('a');
    expect(opens).not.toHaveBeenCalled();
    const fresh = createVault({ store, keyring, schema: connectionSchema, namespace: 'r', recordCache: false });
    const opened = await fresh.getEntry('a');
    expect(opens).toHaveBeenCalledTimes(2);
    expect(cached).toEqual(opened);
    expect(cached?.record.createdAt).toBeInstanceOf(Date);
    expect(cached?.storedAt).toBeInstanceOf(Date);
  });

  it('hands every caller its own copy: changing one changes neither the cache nor the next read', async () => {
    const vault = createVault({ store: memoryStore(), keyring: createKeyring([entry]), schema: connectionAuthSchema });
    await vault.set('a', connectionAuth());
    await vault.get('a');
    const one = await vault.get('a');
    if (one === undefined) throw new Error('no record');
    one.emails?.push('intruder@example.com');
    (one.meta as { region: string }).region = 'changed';
    one.expiryDate?.setTime(0);
    const two = await vault.get('a');
    expect(two?.emails).toEqual(['ops@example.com', 'zoë@exämple.com']);
    expect(two?.meta?.region).toBe('eu-1');
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
    const { vault } = setup({ maxEntries: 2, ttlMs: 1000, now: () => now });
    for (const id of ['a', 'b', 'c']) await vault.set(id, connection());
    await vault.get('a'); // 'a' fell out when 'c' was written
    expect(opens).toHaveBeenCalledTimes(2);
    await vault.get('c');
    expect(opens).toHaveBeenCalledTimes(2);
    now = 1000; // both expired
    await vault.get('c');
    await vault.get('a');
    expect(opens).toHaveBeenCalledTimes(6);
    await vault.get('a');
    expect(opens).toHaveBeenCalledTimes(6);
  });

  it('takes maxEntries and ttlMs from unwrapCache options when it has none of its own', async () => {
    const vault = createVault({
      store: memoryStore(),
      keyring: createKeyring([entry]),
      schema: connectionSchema,
      unwrapCache: { maxEntries: 1 },
    });
    await vault.set('a', connection());
    await vault.set('b', connection()); // 'a' leaves the record cache (one entry)
    await vault.get('a');
    expect(opens).toHaveBeenCalledTimes(2); // and was never in the unwrap cache (a write is not)
  });

  it('is off with recordCache: false and with unwrapCache: false', async () => {
    for (const options of [{ recordCache: false }, { unwrapCache: false }] as const) {
      opens.mockClear();
      const vault = createVault({
        store: memoryStore(),
        keyring: createKeyring([entry]),
        schema: connectionSchema,
        ...options,
      });
      await vault.set('a', connection());
      await vault.get('a');
      await vault.get('a');
      expect(opens.mock.calls.length).toBeGreaterThanOrEqual(3); // two reads, at least the secrets each
    }
  });

  it('is off for a keyring that is not a local Keyring unless asked, and even then never answers from a write', async () => {
    for (const [recordCache, unwraps] of [
      [undefined, 2],
      [{}, 1], // the first read unwraps (through the keyring): what the write stored is not trusted unopened
    ] as const) {
      const keyring = remoteShaped();
      const vault = createVault({
        store: memoryStore(),
        keyring,
        schema: connectionSchema,
        ...(recordCache === undefined ? {} : { recordCache }),
      });
      await vault.set('a', connection());
      await vault.get('a');
      await vault.get('a');
      expect(keyring.unwraps).toBe(unwraps);
    }
    class Subclass extends Keyring {}
    const vault = createVault({ store: memoryStore(), keyring: new Subclass([entry]), schema: connectionSchema });
    await vault.set('a', connection());
    opens.mockClear();
    await vault.get('a');
    await vault.get('a'); // no record cache by default for a subclass (only the unwrap cache it inherits)
    expect(opens).toHaveBeenCalledTimes(3);
  });

  it('is neither read nor filled by verify, and holds nothing once closed', async () => {
    const { keyring, store, vault } = setup();
    const other = createVault({ store, keyring, schema: connectionSchema, namespace: 'r' });
    await other.set('a', connection());
    expect((await vault.verify()).failed).toEqual([]);
    expect(opens).toHaveBeenCalledTimes(2);
    await vault.get('a'); // verify left nothing behind
    expect(opens).toHaveBeenCalledTimes(4);
    await vault.close();
    await vault.set('b', connection()); // a write that lands after close() is not kept
    await vault.get('a');
    await vault.get('b');
    expect(opens).toHaveBeenCalledTimes(8);
  });

  it('is read but not filled by entries(), so a scan leaves the hot records in place', async () => {
    const { keyring, store, vault } = setup({ maxEntries: 2 });
    const other = createVault({ store, keyring, schema: connectionSchema, namespace: 'r' });
    for (const id of ['a', 'b', 'c', 'd']) await other.set(id, connection());
    await vault.get('a');
    expect(opens).toHaveBeenCalledTimes(2);
    const ids: string[] = [];
    for await (const [id] of vault.entries()) ids.push(id);
    expect(ids.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(opens).toHaveBeenCalledTimes(8); // a from the cache; b, c and d opened
    await vault.get('a'); // still hot
    expect(opens).toHaveBeenCalledTimes(8);
    await vault.get('b'); // the scan did not keep it
    expect(opens).toHaveBeenCalledTimes(10);
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
    const options = {
      store: memoryStore(),
      keyring: createKeyring([entry]),
      schema: connectionSchema,
      tenant: 'idProject',
    } as const;
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
    const vault = createVault({
      store: memoryStore(),
      keyring: createKeyring([entry]),
      schema,
      unwrapCache: false,
      recordCache: {},
    });
    await vault.set('a', { name: 'n', token: 'secret-token' });
    for (let i = 0; i < 3; i++) expect((await vault.get('a'))?.token).toEqual(new Token('secret-token'));
    expect(opens).toHaveBeenCalledTimes(4); // the first read decoded what the vault wrote; none was kept
  });
});

describe('RecordCache', () => {
  it('sweeps expired entries out without being asked for them', () => {
    let now = 0;
    const cache = new RecordCache<string, string>({ ttlMs: 1000, now: () => now });
    cache.opened('a', 'text-a', 'A');
    cache.wrote('b', 'text-b', 'draft-b');
    expect(cache.size).toBe(2);
    now = 1000;
    expect(cache.lookup('c', 'text-c')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('answers only for the exact text, and forgets an id asked with another', () => {
    const cache = new RecordCache<string, string>();
    cache.opened('a', 'text-a', 'A');
    expect(cache.lookup('a', 'text-a')).toEqual({ value: 'A' });
    expect(cache.lookup('a', 'text-a2')).toBeUndefined();
    expect(cache.lookup('a', 'text-a')).toBeUndefined();
    cache.wrote('a', 'text-b', 'draft');
    expect(cache.lookup('a', 'text-b')).toEqual({ draft: 'draft' });
    cache.opened('a', 'text-b', 'B');
    expect(cache.lookup('a', 'text-b')).toEqual({ value: 'B' });
  });
});

describe('copyRecord', () => {
  it('copies plain objects, arrays and Dates, sharing nothing; keeps an own "__proto__" key a key', () => {
    const value = JSON.parse('{"a":[1,{"b":"c"}],"__proto__":{"polluted":true}}') as Record<string, unknown>;
    value.d = new Date(5);
    const copy = copyRecord(value) as Record<string, unknown>;
    expect(copy).toEqual(value);
    expect(copy.a).not.toBe(value.a);
    expect(copy.d).not.toBe(value.d);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers undefined for anything else anywhere inside: class instances, subclasses, frozen objects, functions, cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    class List extends Array {}
    class When extends Date {}
    for (const inner of [
      new Map(),
      new (class X {})(),
      () => 1,
      new Uint8Array(2),
      new List(),
      new When(0),
      Object.freeze({ a: 1 }),
      cyclic,
    ]) {
      expect(copyRecord({ a: [{ inner }] })).toBeUndefined();
    }
  });
});
