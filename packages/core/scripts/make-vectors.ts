// Writes the known-answer vectors of cv1: test/vectors/cv1.json (records) and
// test/vectors/store.json (store layer, canonical JSON, key lists). Vectors once published are
// kept forever: this script refuses to write unless it reproduces every published vector byte
// for byte; it may only append.
// Run: pnpm --filter @credvault/core exec tsx --conditions=@credvault/source scripts/make-vectors.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { canonicalJson, connectionAuthSchema, connectionSchema, parseKeyList } from '@credvault/core';
import { sealFramed } from '../src/crypto/aead.js';
import { toBase64url } from '../src/crypto/base64url.js';
import { fromUtf8, utf8 } from '../src/crypto/bytes.js';
import { dataContext, wrapContext } from '../src/format/envelope.js';
import { formatEnvelope } from '../src/format/envelope-text.js';
import { encodeRecord } from '../src/records/codec.js';
import { INDEX_KEY_ID, indexEntryKey, leaseKey, MAX_ID_LENGTH, recordKey } from '../src/store/keys.js';
import { indexKeyText, indexMac } from '../src/vault/blind-index.js';
import { testKmsWrap } from '../test/support/test-kms.js';
import { canonicalCases, notCanonical, recordCases } from './vector-cases.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const seq = (start: number, length: number) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

/** Seals record text under fixed keys and nonces, keeping every intermediate value. */
function seal(
  n: number,
  kid: string,
  namespace: string,
  id: string,
  text: { readable: string; secret: string },
  kms = false,
  kekOverride?: Uint8Array,
) {
  const kek = kekOverride ?? seq(0x80 + n, 32);
  const dek = seq(0x20 + n, 32);
  const wrapNonce = seq(0x40 + n, 24);
  const dataNonce = seq(0x60 + n, 24);
  const wrapAad = wrapContext(kid, namespace, id);
  const dataAad = dataContext(namespace, id, text.readable);
  const wrappedKey = kms ? testKmsWrap(kid, kek, wrapNonce, dek, wrapAad) : sealFramed(kek, wrapNonce, dek, wrapAad);
  const sealed = sealFramed(dek, dataNonce, utf8(text.secret), dataAad);
  if (fromUtf8(utf8(text.secret)) !== text.secret) throw new Error('utf8');
  return {
    kid,
    kek: hex(kek),
    dek: hex(dek),
    wrapNonce: hex(wrapNonce),
    dataNonce: hex(dataNonce),
    readable: text.readable,
    secret: text.secret,
    wrapAad: hex(wrapAad),
    dataAad: hex(dataAad),
    wrappedKey: hex(wrappedKey),
    sealed: hex(sealed),
    envelope: formatEnvelope({ kid, wrappedKey, sealed, readable: text.readable }),
  };
}

const records = recordCases.map((c, n) => {
  const schema = c.schema === 'connection' ? connectionSchema : connectionAuthSchema;
  const meta = c.storedAt === undefined ? {} : { storedAt: new Date(c.storedAt) };
  const { text } = encodeRecord(schema, c.record, c.id, meta);
  const { kid: _, ...rest } = c;
  return { ...rest, ...seal(n, c.kid ?? `kat${n + 1}`, c.namespace, c.id, text, c.keyring === 'test-kms') };
});

const indexKey = seq(0xa0, 32);

/** A tenant key record under a master key, and record vector 1 sealed under that tenant key (FORMAT.md, "Tenant keys"). */
function tenantVector() {
  const namespace = 'connections';
  const c = recordCases[0] as (typeof recordCases)[number];
  const tenant = (c.record as { idProject: string }).idProject;
  const tenantKey = seq(0xc0, 32);
  const tenantKid = `~${toBase64url(seq(0xe0, 16))}`;
  const since = Date.UTC(2026, 10, 1);
  const keyText = {
    readable: '{}',
    secret: canonicalJson({ keys: { [tenantKid]: toBase64url(tenantKey) }, primary: tenantKid, since }),
  };
  const meta = c.storedAt === undefined ? {} : { storedAt: new Date(c.storedAt) };
  const { text } = encodeRecord(connectionSchema, c.record, c.id, meta);
  return {
    description: `tenant "${tenant}" of namespace "${namespace}": its key record under master key kat-tenant-master, and record vector 1 sealed under its tenant key`,
    namespace,
    tenant,
    tenantField: 'idProject',
    tenantKid,
    tenantKey: hex(tenantKey),
    keyRecordStoreKey: recordKey(namespace, `~tenant:${tenant}`),
    keyRecord: seal(0x12, 'kat-tenant-master', namespace, `~tenant:${tenant}`, keyText),
    dataStoreKey: recordKey(namespace, c.id),
    id: c.id,
    record: c.record,
    dataRecord: seal(0x13, tenantKid, namespace, c.id, text, false, tenantKey),
  };
}
const store = {
  format: 'cv1',
  storeKeys: [
    ['connections', '123e4567-e89b-12d3-a456-426614174000'],
    ['auth', 'zoë/🔑'],
    ['auth', 'a:b:c'],
    ['my_ns-2', ' spaced id '],
    ['connections', INDEX_KEY_ID],
  ].map(([namespace, id]) => {
    const key = recordKey(namespace as string, id as string);
    return { namespace, id, key, keyUtf8: hex(utf8(key)) };
  }),
  invalidIds: [
    { description: 'empty', id: '' },
    { description: 'starts with ~ (the vault’s own)', id: '~mine' },
    { description: 'a lone high surrogate', id: 'a\ud800' },
    { description: 'a lone low surrogate', id: '\udc00b' },
    { description: 'surrogates in the wrong order', id: '\ude00\ud83d' },
    { description: `longer than ${MAX_ID_LENGTH} UTF-16 code units`, id: 'x'.repeat(MAX_ID_LENGTH + 1) },
  ],
  leaseKeys: [
    { namespace: 'connections', purpose: 'refresh', id: 'c1', key: leaseKey('connections', 'refresh', 'c1') },
  ],
  blindIndex: [
    ['connections', 'connectionToken', '123e4567-e89b-12d3-a456-426614174000', 'c1'],
    ['connections', 'connectionToken', 'zoë 🔑', 'c2'],
  ].map(([namespace, field, value, id]) => {
    const mac = indexMac(indexKey, field as string, value as string);
    return {
      namespace,
      field,
      value,
      indexKey: hex(indexKey),
      macInput: hex(utf8(`${field}\u0000${value}`)),
      mac,
      entryKey: indexEntryKey(namespace as string, field as string, mac),
      entryValue: id,
    };
  }),
  indexKeyRecords: [
    {
      description: 'the ~index-key record of namespace "connections", holding the index key of the blindIndex vectors',
      namespace: 'connections',
      id: INDEX_KEY_ID,
      storeKey: recordKey('connections', INDEX_KEY_ID),
      indexKey: hex(indexKey),
      ...seal(0x10, 'kat-ix', 'connections', INDEX_KEY_ID, indexKeyText(indexKey)),
    },
  ],
  tenantKeys: [tenantVector()],
  keyLists: [
    `k2:${toBase64url(seq(0x10, 32))},k1:${toBase64url(seq(0x30, 32))}`,
    `\n  2026-11:${toBase64url(seq(0x50, 32))}\n\n  2026-01:${toBase64url(seq(0x70, 32))}  ,\n`,
  ].map((text) => {
    const keyring = parseKeyList(text);
    const keys = [...text.matchAll(/([A-Za-z0-9_-]+):([A-Za-z0-9_-]{43})/g)].map((m) => ({
      kid: m[1],
      key: hex(Buffer.from(m[2] as string, 'base64url')),
    }));
    if (keys.map((k) => k.kid).join() !== keyring.kids.join()) throw new Error('key list');
    return { text, primaryKid: keyring.primaryKid, keys };
  }),
  canonicalJson: canonicalCases.map(({ description, input }) => {
    const canonical = canonicalJson(JSON.parse(input));
    return { description, input, canonical, canonicalUtf8: hex(utf8(canonical)) };
  }),
  notCanonical: notCanonical.map(({ description, text }) => {
    let canonical: string | undefined;
    try {
      canonical = canonicalJson(JSON.parse(text));
    } catch {} // not JSON at all (a byte order mark before it)
    if (canonical === text) throw new Error(`"${text}" is canonical`);
    return { description, text };
  }),
};

/** Writes `next` unless it changes anything published in `path` (arrays may only grow). */
function keep(path: string, next: Record<string, unknown>): void {
  const file = new URL(path, import.meta.url);
  let published: Record<string, unknown> = {};
  try {
    published = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {}
  for (const [name, value] of Object.entries(published)) {
    const now = next[name];
    if (!Array.isArray(value)) {
      if (JSON.stringify(value) !== JSON.stringify(now)) throw new Error(`${path} ${name} would change: refusing`);
      continue;
    }
    value.forEach((item, i) => {
      if (!Array.isArray(now) || JSON.stringify(item) !== JSON.stringify(now[i]))
        throw new Error(`${path} ${name}[${i}] would change: refusing`);
    });
  }
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  console.log(`${path}: kept every published vector`);
}

keep('../test/vectors/cv1.json', { format: 'cv1', vectors: records });
keep('../test/vectors/store.json', store);
