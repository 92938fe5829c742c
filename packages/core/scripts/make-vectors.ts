// Appends NEW known-answer vectors for the cv1 format to test/vectors/cv1.json. Vectors once
// published are kept forever: this script refuses to write unless it reproduces every
// published vector byte for byte.
// Run: pnpm --filter @credvault/core exec tsx --conditions=@credvault/source scripts/make-vectors.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { connectionAuthSchema, connectionSchema } from '@credvault/core';
import { fromUtf8, utf8 } from '../src/bytes.js';
import { encodeRecord } from '../src/codec.js';
import { dataContext, formatEnvelope, sealBytes, wrapContext } from '../src/envelope.js';
import { wrapKey } from '../src/keyring.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const seq = (start: number, length: number) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

const cases = [
  {
    description: 'Connection with every field (seed 000), dates given as ISO strings',
    schema: 'connection',
    namespace: 'connections',
    id: '123e4567-e89b-12d3-a456-426614174000',
    record: {
      idConnection: '123e4567-e89b-12d3-a456-426614174000',
      status: 'active',
      providerSlug: 'hubspot',
      vertical: 'crm',
      accountUrl: 'https://example.com/account',
      tokenType: 'oauth2',
      accessToken: 'access_token_example',
      refreshToken: 'refresh_token_example',
      expirationTimestamp: '2024-10-01T12:00:00Z',
      createdAt: '2024-10-01T12:00:00Z',
      connectionToken: '123e4567-e89b-12d3-a456-426614174000',
      idProject: '123e4567-e89b-12d3-a456-426614174001',
      idLinkedUser: '123e4567-e89b-12d3-a456-426614174002',
    },
  },
  {
    description: 'ConnectionAuth with all 22 fields, unicode, arrays and nested meta',
    schema: 'connectionAuth',
    namespace: 'auth',
    id: 'zoë/🔑',
    record: {
      accessToken: 'ya29.a0-access',
      apiUrl: 'https://api.example.com',
      appId: 'app-1',
      authorizeUrl: 'https://example.com/authorize',
      clientId: 'client-1',
      clientSecret: 'client-secret-1',
      consumerKey: 'ck-1',
      consumerSecret: 'cs-1',
      emails: ['a@example.com', 'zoë@example.com'],
      expiresIn: 3599,
      expiryDate: '2025-01-31T23:59:59.999+01:00',
      key: 'api-key-1',
      meta: { z: [1, 2.5, null, true], a: { ü: 'ß' } },
      name: 'Prod — EU',
      otherAuthInfo: ['one', 'two'],
      pem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      refreshToken: 'refresh-1',
      refreshTokenExpiresDate: '2025-06-30T00:00:00Z',
      refreshTokenExpiresIn: 15552000,
      state: 'state-1',
      token: 'token-1',
      tokenUrl: 'https://example.com/token',
    },
  },
  {
    description: 'ConnectionAuth with no secret field at all: the sealed part holds {}',
    schema: 'connectionAuth',
    namespace: 'auth',
    id: 'public-only',
    record: { clientId: 'client-2', apiUrl: 'https://api.example.com' },
  },
  {
    description: 'ConnectionAuth with vault metadata: ~storedAt in the readable part, expiresIn relative to it',
    schema: 'connectionAuth',
    namespace: 'auth',
    id: 'with-meta',
    storedAt: '2026-11-22T10:00:00.000Z',
    record: { accessToken: 'access-4', refreshToken: 'refresh-4', expiresIn: 3600, clientId: 'client-4' },
  },
] as { description: string; schema: string; namespace: string; id: string; record: object; storedAt?: string }[];

const vectors = cases.map((c, n) => {
  const kid = `kat${n + 1}`;
  const kek = seq(0x80 + n, 32);
  const dek = seq(0x20 + n, 32);
  const wrapNonce = seq(0x40 + n, 24);
  const dataNonce = seq(0x60 + n, 24);
  const schema = c.schema === 'connection' ? connectionSchema : connectionAuthSchema;
  const meta = c.storedAt === undefined ? {} : { storedAt: new Date(c.storedAt) };
  const { text } = encodeRecord(schema, c.record, c.id, meta);
  const wrapAad = wrapContext(kid, c.namespace, c.id);
  const dataAad = dataContext(c.namespace, c.id, text.readable);
  const wrappedKey = wrapKey(kek, wrapNonce, dek, wrapAad);
  const sealed = sealBytes(dek, dataNonce, utf8(text.secret), dataAad);
  if (fromUtf8(utf8(text.secret)) !== text.secret) throw new Error('utf8');
  return {
    ...c,
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
});

const file = new URL('../test/vectors/cv1.json', import.meta.url);
const published = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: unknown[] }).vectors;
published.forEach((vector, i) => {
  if (JSON.stringify(vector) !== JSON.stringify(vectors[i])) throw new Error(`vector ${i + 1} would change: refusing`);
});
writeFileSync(file, `${JSON.stringify({ format: 'cv1', vectors }, null, 2)}\n`);
console.log(`kept ${published.length} vectors, appended ${vectors.length - published.length}`);
