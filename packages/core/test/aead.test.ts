import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  nativeXChaCha,
  passesKnownAnswer,
  pureXChaCha,
  wasmXChaCha,
  type XChaCha20Poly1305,
  xchacha,
} from '../src/crypto/aead.js';
import { utf8 } from '../src/crypto/bytes.js';

const native = nativeXChaCha as XChaCha20Poly1305;
const wasm = (await wasmXChaCha) as XChaCha20Poly1305;
const paths = [wasm, native, pureXChaCha];
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array) => Buffer.from(value).toString('hex');

function seal(
  impl: XChaCha20Poly1305,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(plaintext.length + 16);
  impl.seal(key, nonce, plaintext, aad, out, 0);
  return out;
}

describe('XChaCha20-Poly1305: the WebAssembly, the native and the pure path', () => {
  it('has the WebAssembly and the native path on this runtime, and uses the WebAssembly one once loaded', () => {
    expect(wasm?.name).toBe('wasm');
    expect(nativeXChaCha?.name).toBe('native');
    expect(xchacha).toBe(wasm);
  });

  it('gives byte-identical output on 2,000 random inputs, each opening the others’', () => {
    for (let i = 0; i < 2000; i++) {
      const [key, nonce] = [randomBytes(32), randomBytes(24)];
      // Up to 70 KB every tenth input: past the WebAssembly path's first work area of 16 KiB.
      const plaintext = randomBytes(randomInt(0, i % 10 === 0 ? 70_000 : 3000));
      const aad = randomBytes(randomInt(0, 300));
      const [a, b, c] = paths.map((impl) => seal(impl, key, nonce, plaintext, aad)) as [
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ];
      expect(hex(a)).toBe(hex(c));
      expect(hex(b)).toBe(hex(c));
      expect(hex(pureXChaCha.open(key, nonce, a, aad))).toBe(hex(plaintext));
      expect(hex(native.open(key, nonce, a, aad))).toBe(hex(plaintext));
      expect(hex(wasm.open(key, nonce, b, aad))).toBe(hex(plaintext));
    }
  });

  it.each(paths)('$name refuses a flipped bit, another AAD, another nonce, a short input', (impl) => {
    const [key, nonce, aad] = [randomBytes(32), randomBytes(24), randomBytes(20)];
    const sealed = seal(impl, key, nonce, utf8('refresh-token-secret'), aad);
    for (let bit = 0; bit < sealed.length * 8; bit += 7) {
      const bad = Uint8Array.from(sealed);
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      expect(() => impl.open(key, nonce, bad, aad)).toThrow();
    }
    expect(() => impl.open(key, nonce, sealed, randomBytes(20))).toThrow();
    expect(() => impl.open(key, randomBytes(24), sealed, aad)).toThrow();
    expect(() => impl.open(key, nonce, sealed.subarray(0, 10), aad)).toThrow();
  });

  it.each(paths)('$name passes the draft A.3.1 vector', (impl) => {
    const key = bytes('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = bytes('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = bytes('50515253c0c1c2c3c4c5c6c7');
    const plaintext = utf8(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    expect(hex(seal(impl, key, nonce, plaintext, aad))).toBe(
      'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52ec0875924c1c7987947deafd8780acf49',
    );
  });

  it.each(paths)('$name reproduces every cv1 known-answer vector', (impl) => {
    const file = JSON.parse(readFileSync(new URL('./vectors/cv1.json', import.meta.url), 'utf8')) as {
      vectors: {
        keyring?: string;
        kek: string;
        dek: string;
        wrapNonce: string;
        dataNonce: string;
        secret: string;
        wrapAad: string;
        dataAad: string;
        wrappedKey: string;
        sealed: string;
      }[];
    };
    for (const v of file.vectors.filter((vector) => vector.keyring === undefined)) {
      const wrapped = seal(impl, bytes(v.kek), bytes(v.wrapNonce), bytes(v.dek), bytes(v.wrapAad));
      expect(v.wrapNonce + hex(wrapped)).toBe(v.wrappedKey);
      const sealed = seal(impl, bytes(v.dek), bytes(v.dataNonce), utf8(v.secret), bytes(v.dataAad));
      expect(v.dataNonce + hex(sealed)).toBe(v.sealed);
      expect(Buffer.from(impl.open(bytes(v.dek), bytes(v.dataNonce), sealed, bytes(v.dataAad))).toString()).toBe(
        v.secret,
      );
    }
  });

  it('trusts no path whose verify says yes to a forgery, or no to the vector', () => {
    expect(paths.every(passesKnownAnswer)).toBe(true);
    expect(passesKnownAnswer({ ...pureXChaCha, verify: () => true })).toBe(false);
    expect(passesKnownAnswer({ ...pureXChaCha, verify: () => false })).toBe(false);
  });
});
