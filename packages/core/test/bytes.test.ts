import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nativeBase64 } from '../src/crypto/base64-native.js';
import { agrees, fromBase64url, fromBase64urlTransient, toBase64url } from '../src/crypto/base64url.js';
import { frame } from '../src/crypto/bytes.js';
import { cryptoBackend, cryptoReady } from '../src/index.js';

describe('base64url, the JavaScript codec and (long inputs, on Node) the native one', () => {
  it('encodes and decodes like Node’s base64url for every length 0..400', () => {
    for (let round = 0; round < 10; round++) {
      for (let length = 0; length <= 400; length++) {
        const bytes = randomBytes(length);
        const text = toBase64url(bytes);
        expect(text).toBe(bytes.toString('base64url'));
        expect(Buffer.from(fromBase64url(text)).equals(bytes)).toBe(true);
      }
    }
  });

  it.each([
    ['a lone character', 'A'],
    ['padding', 'AA=='],
    ['one pad', 'AAA='],
    ['the + of base64', 'AA+A'],
    ['the / of base64', 'AA/A'],
    ['a space', 'AAA '],
    ['a non-ASCII letter', 'AAé_'],
    ['non-zero trailing bits after one byte', 'AB'],
    ['non-zero trailing bits after two bytes', 'AAB'],
    ['an impossible length', 'AAAAA'],
  ])('refuses %s, in a short text and after 200 good characters', (_, text) => {
    expect(() => fromBase64url(text)).toThrow(TypeError);
    expect(() => fromBase64url(`${'A'.repeat(200)}${text}`)).toThrow(TypeError);
    expect(() => fromBase64urlTransient(text)).toThrow(TypeError);
    expect(() => fromBase64urlTransient(`${'A'.repeat(200)}${text}`)).toThrow(TypeError);
  });

  it('trusted the native codec when the module loaded: long texts decode through it, into its reused buffer', () => {
    const [a, b] = [randomBytes(300), randomBytes(200)];
    const first = fromBase64urlTransient(toBase64url(a));
    expect(Buffer.from(first).equals(a)).toBe(true);
    const second = fromBase64urlTransient(toBase64url(b));
    expect(Buffer.from(second).equals(b)).toBe(true);
    expect(second.buffer).toBe(first.buffer); // the native path's one buffer: the JavaScript one allocates
    expect(fromBase64url(toBase64url(a)).buffer).not.toBe(first.buffer); // what is kept never lands there
  });

  it('trusts the native codec only after it agrees with the JavaScript one, refusals included', () => {
    expect(nativeBase64 !== undefined && agrees(nativeBase64)).toBe(true);
    const lenient = {
      encode: (b: Uint8Array) => Buffer.from(b).toString('base64url'),
      decode: (t: string) => Buffer.from(t, 'base64url'),
    };
    expect(agrees(lenient)).toBe(false); // Buffer alone accepts padding, white space and base64's + and /
    const padding = {
      ...lenient,
      decode: (nativeBase64 as { decode: (t: string) => Uint8Array }).decode,
      encode: (b: Uint8Array) => `${Buffer.from(b).toString('base64url')}=`,
    };
    expect(agrees(padding)).toBe(false);
    const strict = nativeBase64 as NonNullable<typeof nativeBase64>;
    const lenientTransient = { encode: strict.encode, decode: strict.decode, decodeTransient: lenient.decode };
    expect(agrees(lenientTransient)).toBe(false); // both decoders are checked
  });

  it('decodes a long text into an array of its own (never a slice of a pool shared with other data)', () => {
    const bytes = fromBase64url(toBase64url(randomBytes(90)));
    expect(bytes.length).toBe(90);
    expect(bytes.buffer.byteLength).toBe(90);
    expect(bytes.byteOffset).toBe(0);
  });
});

describe('frame', () => {
  it('writes label, 0x00, then each part as a 4-byte big-endian length and its UTF-8 bytes', () => {
    const parts = ['a', 'ü€😀', '\ud800x', '', 'x'.repeat(300)];
    const expected = Buffer.concat([
      Buffer.from('credvault/test\0', 'latin1'),
      ...parts.map((part) => {
        const bytes = Buffer.from(part, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32BE(bytes.length);
        return Buffer.concat([length, bytes]);
      }),
    ]);
    expect(Buffer.from(frame('credvault/test', parts)).equals(expected)).toBe(true);
  });
});

describe('cryptoBackend', () => {
  it('tells the WebAssembly path on Node once cryptoReady has settled, and cryptoReady answers the same', async () => {
    expect(await cryptoReady()).toBe('wasm');
    expect(cryptoBackend()).toBe('wasm');
  });
});
