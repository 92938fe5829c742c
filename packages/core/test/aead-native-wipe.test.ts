import { createDecipheriv, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nativeXChaCha, type XChaCha20Poly1305 } from '../src/crypto/aead.js';

const native = nativeXChaCha as XChaCha20Poly1305;
// The prototype of node's decipher objects: watching its update() shows what open() decrypted.
const decipherProto = Object.getPrototypeOf(createDecipheriv('chacha20-poly1305', randomBytes(32), randomBytes(12)));

afterEach(() => vi.restoreAllMocks());

describe('native XChaCha20-Poly1305 open', () => {
  it('wipes the unauthenticated plaintext when the tag does not match', () => {
    const [key, nonce, aad] = [randomBytes(32), randomBytes(24), randomBytes(8)];
    const plaintext = new Uint8Array(64).fill(0x41);
    const sealed = new Uint8Array(plaintext.length + 16);
    native.seal(key, nonce, plaintext, aad, sealed, 0);
    (sealed[sealed.length - 1] as number) ^= 1; // a bad tag: the ciphertext still decrypts
    const update = vi.spyOn(decipherProto, 'update');
    expect(() => native.open(key, nonce, sealed, aad)).toThrow();
    expect(update).toHaveBeenCalledOnce();
    const produced = update.mock.results[0]?.value as Buffer;
    expect(produced.length).toBe(plaintext.length);
    expect(produced.every((byte) => byte === 0)).toBe(true);
  });

  it('returns the plaintext, not wiped, when the tag matches', () => {
    const [key, nonce, aad] = [randomBytes(32), randomBytes(24), randomBytes(8)];
    const plaintext = new Uint8Array(64).fill(0x41);
    const sealed = new Uint8Array(plaintext.length + 16);
    native.seal(key, nonce, plaintext, aad, sealed, 0);
    expect(native.open(key, nonce, sealed, aad)).toEqual(plaintext);
  });
});
