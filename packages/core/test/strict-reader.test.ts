import { connectionAuthSchema, createVault, isVaultError, memoryStore, toDate } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { sealRecord } from '../src/format/envelope.js';
import { testKeyring } from './support/vault.js';

const NS = 'strict';

/** A vault over a memory store, and a way to store an authentic envelope of any record text. */
function setup() {
  const keyring = testKeyring();
  const store = memoryStore();
  const vault = createVault({ store, keyring, schema: connectionAuthSchema, namespace: NS });
  const plant = async (id: string, readable: string, secret: string) =>
    store.map.set(`${NS}:${id}`, await sealRecord(keyring, NS, id, { readable, secret }));
  return { vault, store, keyring, plant };
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; path: string | undefined; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isVaultError(error)) throw new Error(`expected a VaultError, got ${String(error)}`);
  return { code: error.code, path: error.path, message: error.message };
}

describe('ids', () => {
  it('refuses ids that are not well-formed UTF-16, on every call', async () => {
    const { vault } = setup();
    for (const id of ['\ud800', '\udc00', 'a\ud83d', '\ude00b', 'x\udc00\ud800y']) {
      expect((await failure(vault.set(id, { clientId: 'c' }))).code).toBe('INVALID_ARGUMENT');
      expect((await failure(vault.get(id))).code).toBe('INVALID_ARGUMENT');
      expect((await failure(vault.has(id))).code).toBe('INVALID_ARGUMENT');
      expect((await failure(vault.delete(id))).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('keeps ids that only differed in a lone surrogate from sharing a record; surrogate pairs are fine', async () => {
    const { vault } = setup();
    await vault.set('🔑\ud83d\ude00', { clientId: 'pair' });
    expect((await vault.get('🔑😀'))?.clientId).toBe('pair');
    await expect(vault.get('\udc00')).rejects.toThrow(/well-formed/);
  });
});

describe('the readable and secret parts', () => {
  it.each([
    ['white space', '{ "clientId":"c"}'],
    ['unsorted keys', '{"name":"n","clientId":"c"}'],
    ['a duplicate key', '{"clientId":"c","clientId":"c"}'],
    ['a non-canonical number', '{"expiresIn":3600.0}'],
    ['an escaped character JSON.stringify writes raw', '{"clientId":"\\u0063"}'],
    ['a JSON array', '["clientId"]'],
  ])('refuses readable JSON with %s (DECRYPT_FAILED)', async (_, readable) => {
    const { vault, plant } = setup();
    await plant('r', readable, '{}');
    const { code, message } = await failure(vault.get('r'));
    expect(code).toBe('DECRYPT_FAILED');
    expect(message).toMatch(/readable fields are not/);
  });

  it('refuses secret JSON that is not canonical', async () => {
    const { vault, plant } = setup();
    await plant('s', '{}', '{"token":"t","pem":"p"}');
    expect(await failure(vault.get('s'))).toMatchObject({ code: 'DECRYPT_FAILED' });
    await plant('s', '{}', '{"pem":"p","token":"t"}');
    expect(await vault.get('s')).toEqual({ pem: 'p', token: 't' });
  });

  it('refuses a field found in both parts, naming it, whichever part it belongs to', async () => {
    const { vault, plant } = setup();
    await plant('both', '{"clientId":"c1"}', '{"clientId":"c2"}');
    expect(await failure(vault.get('both'))).toMatchObject({ code: 'DECRYPT_FAILED', path: 'clientId' });
    await plant('both', '{"token":"t1"}', '{"token":"t2"}');
    expect(await failure(vault.get('both'))).toMatchObject({ code: 'DECRYPT_FAILED', path: 'token' });
  });

  it('refuses a secret field stored in clear with SECRET_IN_CLEAR naming the field, never its value', async () => {
    const { vault, plant } = setup();
    await plant('clear', '{"clientId":"c","clientSecret":"hunter2-secret-value"}', '{"token":"t"}');
    const { code, path, message } = await failure(vault.get('clear'));
    expect([code, path]).toEqual(['SECRET_IN_CLEAR', 'clientSecret']);
    expect(message).toContain('clientSecret');
    expect(message).not.toContain('hunter2');
    const entries = vault.entries({ where: { clientId: 'c' } });
    expect((await failure(entries.next())).code).toBe('SECRET_IN_CLEAR');
  });

  it('refuses a __proto__ member in either part (DECRYPT_FAILED), never reading fields through it', async () => {
    const { vault, plant } = setup();
    await plant('s', '{}', '{"__proto__":{"clientId":"c"}}');
    await plant('r', '{"__proto__":{"clientId":"c"}}', '{}');
    await plant('both', '{"__proto__":{},"clientId":"c"}', '{}');
    for (const id of ['s', 'r', 'both']) {
      expect(await failure(vault.get(id))).toMatchObject({ code: 'DECRYPT_FAILED', path: '__proto__' });
    }
  });

  it('accepts a sealed field the schema does not call secret (its secrecy was lifted)', async () => {
    const { vault, plant } = setup();
    await plant('lifted', '{}', '{"clientId":"sealed-id"}');
    expect(await vault.get('lifted')).toEqual({ clientId: 'sealed-id' });
  });
});

describe('vault members (~)', () => {
  it('ignores an unknown ~ member of the readable part, authenticated like the rest', async () => {
    const { vault, plant } = setup();
    await plant('m', '{"clientId":"c","~future":{"x":1}}', '{}');
    expect(await vault.get('m')).toEqual({ clientId: 'c' });
  });

  it('refuses a ~ member in the sealed part', async () => {
    const { vault, plant } = setup();
    await plant('m', '{}', '{"~storedAt":"2026-01-01T00:00:00.000Z"}');
    expect(await failure(vault.get('m'))).toMatchObject({ code: 'DECRYPT_FAILED', path: '~storedAt' });
  });

  it.each(['"2026-01-01T00:00:00Z"', '"yesterday"', '1767225600000'])(
    'refuses ~storedAt %s, which toISOString() does not write',
    async (value) => {
      const { vault, plant } = setup();
      await plant('m', `{"clientId":"c","~storedAt":${value}}`, '{}');
      expect(await failure(vault.get('m'))).toMatchObject({ code: 'DECRYPT_FAILED', path: '~storedAt' });
    },
  );

  it('reads ~storedAt as the time of the write', async () => {
    const { vault, plant } = setup();
    await plant('m', '{"clientId":"c","~storedAt":"2026-01-01T00:00:00.000Z"}', '{}');
    expect((await vault.getEntry('m'))?.storedAt?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('dates', () => {
  it('accepts every year from 0000 to 9999 in any accepted form, years before 1900 included', () => {
    for (const [input, stored] of [
      ['1800-01-01T00:00:00Z', '1800-01-01T00:00:00.000Z'],
      ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
      ['0000-01-01T01:30:00+01:00', '0000-01-01T00:30:00.000Z'],
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ]) {
      expect(toDate(input as string)?.toISOString(), input).toBe(stored);
    }
    for (const outside of ['0000-01-01T00:30:00+01:00', '9999-12-31T23:59:59-00:01', '+010000-01-01T00:00:00.000Z']) {
      expect(toDate(outside), outside).toBeUndefined();
    }
  });

  it.each(['2025-01-31T23:59:59Z', '2025-01-31T23:59:59.000+00:00', '2025-02-01T00:59:59.000+01:00'])(
    'refuses a stored date %s that toISOString() would write differently',
    async (date) => {
      const { vault, plant } = setup();
      await plant('d', `{"expiryDate":"${date}"}`, '{}');
      expect(await failure(vault.get('d'))).toMatchObject({ code: 'DECRYPT_FAILED', path: 'expiryDate' });
    },
  );

  it('accepts those same strings on set, and stores them as toISOString() writes them', async () => {
    const { vault, store } = setup();
    await vault.set('d', { expiryDate: '2025-02-01T00:59:59.000+01:00' });
    expect(store.map.get(`${NS}:d`)).toContain('"expiryDate":"2025-01-31T23:59:59.000Z"');
    expect((await vault.get('d'))?.expiryDate?.toISOString()).toBe('2025-01-31T23:59:59.000Z');
  });
});

describe('the ~index-key record', () => {
  const key = Buffer.alloc(32, 5).toString('base64url');

  it.each([
    ['a readable member', '{"x":1}', `{"key":"${key}"}`],
    ['a key that is not 32 bytes', '{}', `{"key":"${Buffer.alloc(16).toString('base64url')}"}`],
    ['a key that is not base64url', '{}', '{"key":"not base64url!"}'],
    ['another secret member', '{}', `{"key":"${key}","more":1}`],
    ['no key', '{}', '{}'],
  ])('is refused with %s, by verify and by the index', async (_, readable, secret) => {
    const { store, keyring, plant } = setup();
    await plant('~index-key', readable, secret);
    const vault = createVault({ store, keyring, schema: connectionAuthSchema, namespace: NS, index: ['token'] });
    expect((await vault.verify()).failed).toEqual([{ id: '~index-key', code: 'DECRYPT_FAILED' }]);
    expect((await failure(vault.findBy('token', 't'))).code).toBe('DECRYPT_FAILED');
  });

  it('is accepted when it is exactly {} and {"key":"<32 bytes>"}', async () => {
    const { store, keyring, plant } = setup();
    await plant('~index-key', '{}', `{"key":"${key}"}`);
    const vault = createVault({ store, keyring, schema: connectionAuthSchema, namespace: NS, index: ['token'] });
    await vault.set('r', { token: 't' });
    expect((await vault.findBy('token', 't'))?.id).toBe('r');
    expect(await vault.verify()).toMatchObject({ scanned: 2, ok: 2, failed: [] });
  });
});
