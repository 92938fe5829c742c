/**
 * The native XChaCha20-Poly1305 candidate for runtimes with `node:crypto` (Node, Deno, Bun).
 * Reached only through the `#aead-native` import with the `node` condition; bundles for browsers
 * and edge workers get ./aead-none.ts instead and never see `node:crypto`. Internal.
 */
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';
import type { XChaCha20Poly1305 } from './aead.js';

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]); // "expand 32-byte k"
const scratch = new Uint32Array(8 + 4 + 8); // key words, nonce-prefix words, subkey words

/** HChaCha20(key, nonce[0..16]), copied out of the scratch words, which are wiped. */
function subkey(key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(scratch.buffer);
  bytes.set(key, 0);
  bytes.set(nonce.subarray(0, 16), 32);
  hchacha(SIGMA, scratch.subarray(0, 8), scratch.subarray(8, 12), scratch.subarray(12, 20));
  const out = bytes.slice(48, 80);
  scratch.fill(0);
  return out;
}

/** The ChaCha20-Poly1305 IETF nonce: four zero bytes, then the last 8 bytes of the XChaCha nonce. */
function iv(nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(12);
  out.set(nonce.subarray(16, 24), 4);
  return out;
}

const native: XChaCha20Poly1305 = {
  name: 'native',
  seal(key, nonce, plaintext, aad, out, offset) {
    const k = subkey(key, nonce);
    try {
      const cipher = createCipheriv('chacha20-poly1305', k, iv(nonce), { authTagLength: 16 });
      cipher.setAAD(aad, { plaintextLength: plaintext.length });
      out.set(cipher.update(plaintext), offset);
      cipher.final();
      out.set(cipher.getAuthTag(), offset + plaintext.length);
    } finally {
      k.fill(0);
    }
  },
  open(key, nonce, sealed, aad) {
    if (sealed.length < 16) throw new Error('invalid tag');
    const k = subkey(key, nonce);
    try {
      const decipher = createDecipheriv('chacha20-poly1305', k, iv(nonce), { authTagLength: 16 });
      decipher.setAAD(aad, { plaintextLength: sealed.length - 16 });
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const plaintext = decipher.update(sealed.subarray(0, sealed.length - 16));
      try {
        decipher.final(); // throws when the tag does not match
      } catch (error) {
        plaintext.fill(0); // unauthenticated: nobody may see it, not even in memory left behind
        throw error;
      }
      return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
    } finally {
      k.fill(0);
    }
  },
};

/**
 * The native implementation when `node:crypto` offers `chacha20-poly1305` (Node and Deno do, Bun
 * does not); otherwise `undefined`. aead.ts still checks it against a known answer before use.
 */
export const nativeCandidate: XChaCha20Poly1305 | undefined = getCiphers().includes('chacha20-poly1305')
  ? native
  : undefined;
