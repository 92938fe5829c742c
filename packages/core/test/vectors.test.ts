import { readFileSync } from 'node:fs';
import { connectionAuthSchema, connectionSchema, createKeyring, toDate } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { sealFramed } from '../src/crypto/aead.js';
import { utf8 } from '../src/crypto/bytes.js';
import { dataContext, openBytes, sealBytes, wrapContext } from '../src/format/envelope.js';
import { formatEnvelope } from '../src/format/envelope-text.js';
import { encodeRecord } from '../src/records/codec.js';
import { testKms, testKmsWrap } from './support/test-kms.js';
import { memoryVault } from './support/vault.js';

interface Vector {
  description: string;
  schema: 'connection' | 'connectionAuth';
  namespace: string;
  id: string;
  record: Record<string, unknown>;
  storedAt?: string;
  /** Absent: the local keyring wrapped the data key. `test-kms`: test/support/test-kms.ts did. */
  keyring?: 'test-kms';
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
}

const file = JSON.parse(readFileSync(new URL('./vectors/cv1.json', import.meta.url), 'utf8')) as {
  format: string;
  vectors: Vector[];
};
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array) => Buffer.from(value).toString('hex');

describe('XChaCha20-Poly1305, draft-irtf-cfrg-xchacha-03 A.3.1', () => {
  const key = bytes('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = bytes('404142434445464748494a4b4c4d4e4f5051525354555657');
  const aad = bytes('50515253c0c1c2c3c4c5c6c7');
  const plaintext = utf8(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const expected =
    'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52ec0875924c1c7987947deafd8780acf49';

  it('seals to the published ciphertext and tag, and opens it', () => {
    const sealed = sealBytes(key, nonce, plaintext, aad);
    expect(hex(sealed)).toBe(hex(nonce) + expected);
    expect(openBytes(key, sealed, aad)).toEqual(plaintext);
  });
});

describe(`the ${file.format} known-answer vectors`, () => {
  expect(file.vectors.length).toBeGreaterThanOrEqual(6);

  describe.each(file.vectors)('$description', (vector) => {
    const schema = vector.schema === 'connection' ? connectionSchema : connectionAuthSchema;

    it('encodes the record to the exact readable and secret text', () => {
      const meta = vector.storedAt === undefined ? {} : { storedAt: new Date(vector.storedAt) };
      const { text } = encodeRecord(schema, vector.record, vector.id, meta);
      expect(text.readable).toBe(vector.readable);
      expect(text.secret).toBe(vector.secret);
    });

    it('builds the exact associated data', () => {
      expect(hex(wrapContext(vector.kid, vector.namespace, vector.id))).toBe(vector.wrapAad);
      expect(hex(dataContext(vector.namespace, vector.id, vector.readable))).toBe(vector.dataAad);
    });

    it('gives the exact bytes with the fixed key and nonces', () => {
      const [kek, nonce, dek, aad] = [
        bytes(vector.kek),
        bytes(vector.wrapNonce),
        bytes(vector.dek),
        bytes(vector.wrapAad),
      ];
      const wrapped =
        vector.keyring === 'test-kms'
          ? testKmsWrap(vector.kid, kek, nonce, dek, aad)
          : sealFramed(kek, nonce, dek, aad);
      const sealed = sealBytes(bytes(vector.dek), bytes(vector.dataNonce), utf8(vector.secret), bytes(vector.dataAad));
      expect(hex(wrapped)).toBe(vector.wrappedKey);
      expect(hex(sealed)).toBe(vector.sealed);
      const readable = vector.readable;
      expect(formatEnvelope({ kid: vector.kid, wrappedKey: wrapped, sealed, readable })).toBe(vector.envelope);
    });

    it('opens through the vault to the expected record', async () => {
      const master = { kid: vector.kid, key: bytes(vector.kek) };
      const keyring = vector.keyring === 'test-kms' ? testKms([master]) : createKeyring([master]);
      const { vault, keyv } = memoryVault({ schema, keyring, namespace: vector.namespace });
      await keyv.set(`${vector.namespace}:${vector.id}`, vector.envelope);
      const entry = await vault.getEntry(vector.id);
      const record = entry?.record;
      expect(entry?.storedAt?.toISOString()).toBe(vector.storedAt);
      const expected: Record<string, unknown> = { ...vector.record };
      for (const field of ['expirationTimestamp', 'createdAt', 'expiryDate', 'refreshTokenExpiresDate']) {
        if (typeof expected[field] === 'string') expected[field] = toDate(expected[field] as string);
      }
      expect(record).toStrictEqual(expected);
    });
  });
});
