import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { pureXChaCha, type XChaCha20Poly1305 } from '../src/crypto/aead.js';
import { loadSodium, type SodiumModule, wasmXChaChaOver } from '../src/crypto/aead-wasm.js';

// A module instance of the test's own, so its whole memory can be searched after each call.
const sodium = await loadSodium();
const wasm = wasmXChaChaOver(sodium, pureXChaCha);
/** Whether `needle` stands anywhere in the module's memory. */
const inMemory = (module: SodiumModule, needle: Uint8Array) =>
  Buffer.from(module.HEAPU8.buffer).indexOf(Buffer.from(needle)) !== -1;

function sealWith(impl: XChaCha20Poly1305, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) {
  const out = new Uint8Array(plaintext.length + 16);
  impl.seal(key, nonce, plaintext, aad, out, 0);
  return out;
}

describe('WebAssembly XChaCha20-Poly1305: what it leaves in the module memory', () => {
  it.each([64, 40_000])('leaves neither key nor plaintext there after a seal and an open of %i bytes', (size) => {
    const [key, nonce, aad] = [randomBytes(32), randomBytes(24), randomBytes(30)];
    const plaintext = randomBytes(size);
    const sealed = sealWith(wasm, key, nonce, plaintext, aad);
    expect(Buffer.from(sealed).equals(Buffer.from(sealWith(pureXChaCha, key, nonce, plaintext, aad)))).toBe(true);
    expect(inMemory(sodium, key)).toBe(false);
    expect(inMemory(sodium, plaintext.subarray(0, 32))).toBe(false);
    expect(Buffer.from(wasm.open(key, nonce, sealed, aad)).equals(plaintext)).toBe(true);
    expect(inMemory(sodium, key)).toBe(false);
    expect(inMemory(sodium, plaintext.subarray(0, 32))).toBe(false);
  });

  it('refuses a bad tag and leaves no key, and no decryption of the ciphertext, there', () => {
    const [key, nonce, aad] = [randomBytes(32), randomBytes(24), randomBytes(8)];
    const plaintext = new Uint8Array(64).fill(0x41);
    const sealed = sealWith(wasm, key, nonce, plaintext, aad);
    (sealed[sealed.length - 1] as number) ^= 1; // a bad tag: the ciphertext would still decrypt
    expect(() => wasm.open(key, nonce, sealed, aad)).toThrow('invalid tag');
    expect(inMemory(sodium, key)).toBe(false);
    expect(inMemory(sodium, plaintext.subarray(0, 32))).toBe(false);
  });

  it('verifies without ever decrypting: the plaintext is nowhere in the module memory, and a bad tag is refused', () => {
    const [key, nonce, aad] = [randomBytes(32), randomBytes(24), randomBytes(30)];
    const plaintext = randomBytes(900);
    const sealed = sealWith(pureXChaCha, key, nonce, plaintext, aad); // never inside this module
    expect(wasm.verify(key, nonce, sealed, aad)).toBe(true);
    expect(inMemory(sodium, plaintext.subarray(0, 32))).toBe(false); // not decrypted, not even to address 0
    expect(inMemory(sodium, key)).toBe(false);
    expect(wasm.verify(key, nonce, sealed, randomBytes(30))).toBe(false);
    (sealed[100] as number) ^= 1;
    expect(wasm.verify(key, nonce, sealed, aad)).toBe(false);
    expect(wasm.verify(key, nonce, sealed.subarray(0, 15), aad)).toBe(false);
    expect(inMemory(sodium, key)).toBe(false);
  });

  it('hands a call to the fallback when the module cannot allocate its work area, with the same bytes', () => {
    const full: SodiumModule = Object.assign(Object.create(sodium) as SodiumModule, { _malloc: () => 0 });
    const fallback = {
      name: 'pure' as const,
      seal: vi.fn(pureXChaCha.seal),
      open: vi.fn(pureXChaCha.open),
      verify: vi.fn(pureXChaCha.verify),
    };
    const starved = wasmXChaChaOver(full, fallback);
    const [key, nonce, aad, plaintext] = [randomBytes(32), randomBytes(24), randomBytes(8), randomBytes(100)];
    const sealed = sealWith(starved, key, nonce, plaintext, aad);
    expect(fallback.seal).toHaveBeenCalledOnce();
    expect(Buffer.from(sealed).equals(Buffer.from(sealWith(wasm, key, nonce, plaintext, aad)))).toBe(true);
    expect(Buffer.from(starved.open(key, nonce, sealed, aad)).equals(plaintext)).toBe(true);
    expect(fallback.open).toHaveBeenCalledOnce();
    expect(starved.verify(key, nonce, sealed, aad)).toBe(true);
    expect(fallback.verify).toHaveBeenCalledOnce();
  });
});
