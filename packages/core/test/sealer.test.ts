/**
 * `createSealer` (issue 32 item 1): one record sealed to envelope text bound to a caller-given
 * id, and opened back, with no store of records; blind-index terms for index columns of a
 * table's own.
 */
import {
  connectionAuthSchema,
  connectionSchema,
  createKeyring,
  createSealer,
  createVault,
  generateKey,
  isVaultError,
  memoryStore,
  plaintextJson,
  type VaultEvent,
  type VaultTelemetry,
} from '@credvault/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connection, connectionAuth, SECRET_STRINGS } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isVaultError(error) ? error.code : error),
  );

describe('createSealer', () => {
  it('seals a record as cv1 text that opens back to the validated record, secrets nowhere in clear', async () => {
    const sealer = createSealer({ keyring: testKeyring(), schema: connectionSchema, namespace: 'connections' });
    const text = await sealer.seal('row-1', connection());
    expect(text.startsWith('cv1.k1.')).toBe(true);
    for (const secret of SECRET_STRINGS) expect(text).not.toContain(secret);
    const vault = createVault({ keyring: testKeyring(), schema: connectionSchema });
    await vault.set('x', connection());
    expect(await sealer.open('row-1', text)).toEqual(await vault.get('x'));
  });

  it('binds the text to its id and namespace: moved to another row or namespace it is DECRYPT_FAILED', async () => {
    const keyring = testKeyring();
    const sealer = createSealer({ keyring, schema: connectionSchema, namespace: 'connections' });
    const other = createSealer({ keyring, schema: connectionSchema, namespace: 'others' });
    const text = await sealer.seal('row-1', connection());
    expect(await codeOf(sealer.open('row-2', text))).toBe('DECRYPT_FAILED');
    expect(await codeOf(other.open('row-1', text))).toBe('DECRYPT_FAILED');
    expect(await codeOf(sealer.open('row-1', `${text.slice(0, -2)}x}`))).toBe('DECRYPT_FAILED');
  });

  it('writes what a vault over a store reads: the same envelope for the same key, namespace and id', async () => {
    const keyring = testKeyring();
    const store = memoryStore();
    const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'connections' });
    const sealer = createSealer({ keyring, schema: connectionSchema, namespace: 'connections' });
    await store.set('connections:row-1', await sealer.seal('row-1', connection({ status: 'sealed' })));
    expect((await vault.get('row-1'))?.status).toBe('sealed');
    await vault.set('row-2', connection({ status: 'vaulted' }));
    expect((await sealer.open('row-2', (await store.get('connections:row-2')) as string)).status).toBe('vaulted');
  });

  it('refuses what the schema refuses, with the field path and no secret in the message', async () => {
    const sealer = createSealer({ keyring: testKeyring(), schema: connectionSchema });
    const error = await sealer.seal('row-1', { ...connection(), accessToken: 42 }).catch((e: unknown) => e);
    expect(isVaultError(error) && error.code).toBe('VALIDATION_FAILED');
    expect(isVaultError(error) && error.path).toBe('accessToken');
    for (const secret of SECRET_STRINGS) expect(String(error)).not.toContain(secret);
    expect(await codeOf(sealer.seal('~own', connection()))).toBe('INVALID_ARGUMENT');
  });

  it('gives the terms a vault index writes, and refuses index or tenant without a keyStore', async () => {
    const keyring = testKeyring();
    const keyStore = memoryStore();
    const vault = createVault({ store: keyStore, keyring, schema: connectionSchema, index: ['accessToken'] });
    const sealer = createSealer({ keyring, schema: connectionSchema, index: ['accessToken'], keyStore });
    await vault.set('a', connection({ accessToken: 'tok-A' }));
    const terms = await sealer.terms(connection({ accessToken: 'tok-A' }));
    expect(terms.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await keyStore.get(`~ix:default:accessToken:${terms.accessToken}`)).toBe('a');
    expect(await sealer.term('accessToken', 'tok-A')).toBe(terms.accessToken);
    const indexed = await sealer.sealIndexed('b', connection({ accessToken: 'tok-A' }));
    expect(indexed.terms).toEqual(terms);
    expect((await sealer.open('b', indexed.text)).accessToken).toBe('tok-A');
    expect(await sealer.term('accessToken', 'tok-B')).not.toBe(terms.accessToken);
    expect(await sealer.term('accessToken', '')).toBeUndefined();
    expect(await sealer.terms(connection({ accessToken: '' }))).toEqual({});
    expect(await codeOf(sealer.term('refreshToken' as 'accessToken', 'x'))).toBe('INVALID_ARGUMENT');
    expect(() => createSealer({ keyring, schema: connectionSchema, index: ['accessToken'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'keyStore' }),
    );
    expect(() => createSealer({ keyring, schema: connectionSchema, tenant: 'idProject' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'keyStore' }),
    );
  });

  it('seals under tenant keys kept in the keyStore, and says which texts are current', async () => {
    const old = { kid: 'old', key: generateKey() };
    const keyStore = memoryStore();
    const keyring = createKeyring([{ kid: 'new', key: generateKey() }, old]);
    const tenanted = createSealer({ keyring, schema: connectionSchema, tenant: 'idProject', keyStore });
    const text = await tenanted.seal('row-1', connection({ idProject: 'p1' }));
    expect(text.startsWith('cv1.~')).toBe(true);
    expect(await keyStore.get('default:~tenant:p1')).toBeDefined();
    expect((await tenanted.open('row-1', text)).idProject).toBe('p1');
    expect(tenanted.isCurrent(text)).toBe(true);
    const plain = createSealer({ keyring, schema: connectionSchema });
    const oldText = await createSealer({ keyring: createKeyring([old]), schema: connectionSchema }).seal(
      'r',
      connection(),
    );
    expect(plain.isCurrent(await plain.seal('r', connection()))).toBe(true);
    expect(plain.isCurrent(oldText)).toBe(false);
    expect(plain.isCurrent('{"accessToken":"x"}')).toBe(false);
  });

  it('opens legacy values through its legacy readers and reports each', async () => {
    const sealer = createSealer({ keyring: testKeyring(), schema: connectionAuthSchema, legacy: plaintextJson() });
    const events: VaultEvent[] = [];
    sealer.on('*', (event) => events.push(event));
    const input = connectionAuth();
    const record = await sealer.open('row-1', JSON.stringify(input));
    expect(record.accessToken).toBe(input.accessToken);
    expect(events.map((e) => [e.type, e.id])).toEqual([
      ['legacy', 'row-1'],
      ['get', 'row-1'],
    ]);
    const strict = createSealer({ keyring: testKeyring(), schema: connectionAuthSchema });
    expect(await codeOf(strict.open('row-1', JSON.stringify(input)))).toBe('DECRYPT_FAILED');
  });

  it('answers an open of the text it just sealed, for that id only, from the record cache', async () => {
    const results: string[] = [];
    const span = { run: <T>(work: () => T) => work(), end: () => {} };
    const telemetry: VaultTelemetry = {
      operation: () => span,
      storeCall: () => span,
      remoteKeyCall: (_info, pending) => pending,
      cache: (info) => results.push(`${info.cache}:${info.result}`),
      rotation: () => {},
      records: () => {},
    };
    const sealer = createSealer({ keyring: testKeyring(), schema: connectionSchema, telemetry });
    const text = await sealer.seal('row-1', connection({ status: 'cached' }));
    expect((await sealer.open('row-1', text)).status).toBe('cached');
    expect(results.filter((r) => r.startsWith('record:'))).toEqual(['record:hit']);
    expect(await codeOf(sealer.open('row-2', text))).toBe('DECRYPT_FAILED');
    expect(results.filter((r) => r.startsWith('record:'))).toEqual(['record:hit', 'record:miss']);
  });

  it('property: any accepted record round-trips exactly under any id, and only under that id', async () => {
    const sealer = createSealer({ keyring: testKeyring(), schema: connectionSchema, namespace: 'p' });
    const id = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.startsWith('~') && !s.includes('\u0000'));
    const token = fc.string({ maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(id, id, token, token, async (a, b, accessToken, refreshToken) => {
        fc.pre(a !== b && !LONE_SURROGATE.test(a) && !LONE_SURROGATE.test(b));
        const input = connection({ accessToken, refreshToken, idConnection: a });
        const text = await sealer.seal(a, input);
        const opened = await sealer.open(a, text);
        expect(opened.accessToken).toBe(accessToken);
        expect(opened.refreshToken).toBe(refreshToken);
        expect(opened.expirationTimestamp).toEqual(new Date(input.expirationTimestamp));
        expect(await codeOf(sealer.open(b, text))).toBe('DECRYPT_FAILED');
      }),
      { numRuns: 100 },
    );
  });
});
