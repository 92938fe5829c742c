import { readFileSync } from 'node:fs';
import {
  canonicalJson,
  connectionSchema,
  createKeyring,
  createVault,
  isVaultError,
  memoryStore,
  parseKeyList,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { sealFramed } from '../src/crypto/aead.js';
import { utf8 } from '../src/crypto/bytes.js';
import { dataContext, sealRecord, wrapContext } from '../src/format/envelope.js';
import { formatEnvelope } from '../src/format/envelope-text.js';
import { checkId, indexEntryKey, leaseKey, recordKey } from '../src/store/keys.js';
import { indexKeyText, indexMac } from '../src/vault/blind-index.js';
import { connection } from './support/fixtures.js';

interface StoreVectors {
  storeKeys: { namespace: string; id: string; key: string; keyUtf8: string }[];
  invalidIds: { description: string; id: string }[];
  leaseKeys: { namespace: string; purpose: string; id: string; key: string }[];
  blindIndex: {
    namespace: string;
    field: string;
    value: string;
    indexKey: string;
    macInput: string;
    mac: string;
    entryKey: string;
    entryValue: string;
  }[];
  indexKeyRecords: {
    namespace: string;
    id: string;
    storeKey: string;
    indexKey: string;
    kid: string;
    kek: string;
    dek: string;
    wrapNonce: string;
    dataNonce: string;
    readable: string;
    secret: string;
    wrapAad: string;
    dataAad: string;
    wrappedKey: string;
    sealed: string;
    envelope: string;
  }[];
  tenantKeys: {
    namespace: string;
    tenant: string;
    tenantField: string;
    tenantKid: string;
    tenantKey: string;
    keyRecordStoreKey: string;
    keyRecord: StoreVectors['indexKeyRecords'][number];
    dataStoreKey: string;
    id: string;
    record: Record<string, unknown>;
    dataRecord: StoreVectors['indexKeyRecords'][number];
  }[];
  keyLists: { text: string; primaryKid: string; keys: { kid: string; key: string }[] }[];
  canonicalJson: { description: string; input: string; canonical: string; canonicalUtf8: string }[];
  notCanonical: { description: string; text: string }[];
}

const file = JSON.parse(readFileSync(new URL('./vectors/store.json', import.meta.url), 'utf8')) as StoreVectors;
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array) => Buffer.from(value).toString('hex');

describe('store layer vectors (test/vectors/store.json)', () => {
  it.each(file.storeKeys)('store key of $namespace / $id', ({ namespace, id, key, keyUtf8 }) => {
    expect(recordKey(namespace, id)).toBe(key);
    expect(hex(utf8(key))).toBe(keyUtf8);
  });

  it('stores records under exactly those keys', async () => {
    const store = memoryStore();
    const keyring = createKeyring([{ kid: 'k', key: new Uint8Array(32).fill(7) }]);
    for (const { namespace, id, key } of file.storeKeys.filter((k) => !k.id.startsWith('~'))) {
      await createVault({ store, keyring, schema: connectionSchema, namespace }).set(id, connection());
      expect(store.map.has(key)).toBe(true);
    }
  });

  it.each(file.invalidIds)('refuses the id: $description', async ({ id }) => {
    expect(() => checkId(id)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const vault = createVault({
      keyring: createKeyring([{ kid: 'k', key: new Uint8Array(32) }]),
      schema: connectionSchema,
    });
    const error = await vault.set(id, connection()).catch((e: unknown) => e);
    expect(isVaultError(error, 'INVALID_ARGUMENT')).toBe(true);
  });

  it.each(file.leaseKeys)('lease key $key', ({ namespace, purpose, id, key }) => {
    expect(leaseKey(namespace, purpose, id)).toBe(key);
  });

  it.each(file.blindIndex)('blind-index entry of $field = "$value"', (v) => {
    expect(hex(utf8(`${v.field}\u0000${v.value}`))).toBe(v.macInput);
    expect(indexMac(bytes(v.indexKey), v.field, v.value)).toBe(v.mac);
    expect(indexEntryKey(v.namespace, v.field, v.mac)).toBe(v.entryKey);
  });

  it.each(file.indexKeyRecords)('the index-key record: $storeKey', (v) => {
    expect(recordKey(v.namespace, v.id)).toBe(v.storeKey);
    const text = indexKeyText(bytes(v.indexKey));
    expect([text.readable, text.secret]).toEqual([v.readable, v.secret]);
    expect(hex(wrapContext(v.kid, v.namespace, v.id))).toBe(v.wrapAad);
    expect(hex(dataContext(v.namespace, v.id, v.readable))).toBe(v.dataAad);
    const wrappedKey = sealFramed(bytes(v.kek), bytes(v.wrapNonce), bytes(v.dek), bytes(v.wrapAad));
    const sealed = sealFramed(bytes(v.dek), bytes(v.dataNonce), utf8(v.secret), bytes(v.dataAad));
    expect([hex(wrappedKey), hex(sealed)]).toEqual([v.wrappedKey, v.sealed]);
    expect(formatEnvelope({ kid: v.kid, wrappedKey, sealed, readable: v.readable })).toBe(v.envelope);
  });

  it('a vault with that index-key record writes and follows exactly the vector entries', async () => {
    const [ix] = file.indexKeyRecords;
    const entries = file.blindIndex.filter((e) => e.namespace === ix?.namespace && e.field === 'connectionToken');
    expect(ix).toBeDefined();
    expect(entries.length).toBeGreaterThan(0);
    const v = ix as StoreVectors['indexKeyRecords'][number];
    const store = memoryStore();
    store.map.set(v.storeKey, v.envelope);
    const keyring = createKeyring([{ kid: v.kid, key: bytes(v.kek) }]);
    const namespace = v.namespace;
    const vault = createVault({ store, keyring, schema: connectionSchema, namespace, index: ['connectionToken'] });
    for (const entry of entries) {
      await vault.set(entry.entryValue, connection({ connectionToken: entry.value }));
      expect(store.map.get(entry.entryKey)).toBe(entry.entryValue);
      expect((await vault.findBy('connectionToken', entry.value))?.id).toBe(entry.entryValue);
    }
    expect(store.map.get(v.storeKey)).toBe(v.envelope); // used, never replaced
  });

  it.each(file.tenantKeys)('tenant keys: $keyRecordStoreKey and the record under it', async (v) => {
    const master = v.keyRecord;
    const secret = JSON.parse(master.secret) as { keys: Record<string, string>; primary: string };
    expect(secret.primary).toBe(v.tenantKid);
    expect(hex(Uint8Array.from(Buffer.from(secret.keys[v.tenantKid] as string, 'base64url')))).toBe(v.tenantKey);
    expect(canonicalJson(JSON.parse(master.secret))).toBe(master.secret);
    for (const [e, kek] of [
      [master, master.kek],
      [v.dataRecord, v.tenantKey],
    ] as const) {
      expect(e.kek).toBe(kek); // the data key of the record is wrapped under the tenant key
      const wrappedKey = sealFramed(bytes(kek), bytes(e.wrapNonce), bytes(e.dek), bytes(e.wrapAad));
      const sealed = sealFramed(bytes(e.dek), bytes(e.dataNonce), utf8(e.secret), bytes(e.dataAad));
      expect(formatEnvelope({ kid: e.kid, wrappedKey, sealed, readable: e.readable })).toBe(e.envelope);
    }
    expect(hex(wrapContext(v.tenantKid, v.namespace, v.id))).toBe(v.dataRecord.wrapAad);

    // A vault with tenant keys opens the record through the key record, under the master key only.
    const store = memoryStore();
    store.map.set(v.keyRecordStoreKey, master.envelope);
    store.map.set(v.dataStoreKey, v.dataRecord.envelope);
    const keyring = createKeyring([{ kid: master.kid, key: bytes(master.kek) }]);
    const vault = createVault({
      store,
      keyring,
      schema: connectionSchema,
      namespace: v.namespace,
      tenant: 'idProject',
    });
    const record = await vault.get(v.id);
    expect(record?.accessToken).toBe(v.record.accessToken);
    expect(record?.idProject).toBe(v.tenant);
    // Without the key record (shredded), the same record is TENANT_KEY_GONE.
    store.map.delete(v.keyRecordStoreKey);
    const fresh = createVault({
      store,
      keyring,
      schema: connectionSchema,
      namespace: v.namespace,
      tenant: 'idProject',
    });
    const error = await fresh.get(v.id).catch((e: unknown) => e);
    expect(isVaultError(error, 'TENANT_KEY_GONE')).toBe(true);
  });

  it.each(file.keyLists)('CREDVAULT_KEYS %#', async ({ text, primaryKid, keys }) => {
    const keyring = parseKeyList(text);
    expect(keyring.primaryKid).toBe(primaryKid);
    expect(keyring.kids).toEqual(keys.map((k) => k.kid));
    // each parsed key is the key the vector names: what one wraps, a keyring of the named bytes unwraps
    for (const { kid, key } of keys) {
      const context = utf8(`vector ${kid}`);
      const wrapped = await keyring.wrap(kid, new Uint8Array(32).fill(9), context);
      const alone = createKeyring([{ kid, key: bytes(key) }]);
      expect(hex(await alone.unwrap(kid, wrapped, context))).toBe('09'.repeat(32));
    }
  });
});

describe('canonical JSON vectors', () => {
  it.each(file.canonicalJson)('$description', ({ input, canonical, canonicalUtf8 }) => {
    expect(canonicalJson(JSON.parse(input))).toBe(canonical);
    expect(hex(utf8(canonical))).toBe(canonicalUtf8);
    expect(canonicalJson(JSON.parse(canonical))).toBe(canonical); // a fixed point
  });

  it.each(file.notCanonical)(
    'the reader refuses non-canonical text ($description) in either part',
    async ({ text }) => {
      const keyring = createKeyring([{ kid: 'k', key: new Uint8Array(32).fill(1) }]);
      const store = memoryStore();
      const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'nc' });
      for (const [readable, secret] of [
        [text, '{}'],
        ['{}', text],
      ] as const) {
        store.map.set('nc:r', await sealRecord(keyring, 'nc', 'r', { readable, secret }));
        const error = await vault.get('r').catch((e: unknown) => e);
        expect(isVaultError(error, 'DECRYPT_FAILED'), `${readable} / ${secret}`).toBe(true);
        expect((error as Error).message).toMatch(/not canonical JSON/);
      }
    },
  );
});
