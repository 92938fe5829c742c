/**
 * The native XChaCha20-Poly1305 candidate for runtimes with `node:crypto` (Node, Deno, Bun).
 * Reached only through the `#aead-native` import with the `node` condition; bundles for browsers
 * and edge workers get ./aead-none.ts instead and never see `node:crypto`. Internal.
 */
import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';
import type { AeadCandidate } from './aead.js';

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]); // "expand 32-byte k"
// One scratch area, allocated once outside the JavaScript heap (node:crypto reads it without a copy
// into a fresh buffer): key words 0-7, nonce-prefix words 8-11, subkey words 12-19. Every call
// fills it, hands the subkey to node:crypto (which copies it into its own context) and wipes it
// before returning, so no key is left here between calls; calls never interleave (they are
// synchronous, and each worker thread has its own module instance).
const words = new Uint32Array(new ArrayBuffer(80));
const wordBytes = new Uint8Array(words.buffer);
const keyWords = words.subarray(0, 8);
const nonceWords = words.subarray(8, 12);
const subkeyWords = words.subarray(12, 20);
const subkey = new Uint8Array(words.buffer, 48, 32);
/** The ChaCha20-Poly1305 IETF nonce: four zero bytes, then the last 8 bytes of the XChaCha nonce. */
const iv = new Uint8Array(new ArrayBuffer(12));
const OPTIONS = { authTagLength: 16 } as const;

/** HChaCha20(key, nonce[0..16]) into `subkey`, and the IETF nonce into `iv`. */
function derive(key: Uint8Array, nonce: Uint8Array): void {
  wordBytes.set(key, 0);
  for (let i = 0; i < 16; i++) wordBytes[32 + i] = nonce[i] as number;
  hchacha(SIGMA, keyWords, nonceWords, subkeyWords);
  for (let i = 0; i < 8; i++) iv[4 + i] = nonce[16 + i] as number;
}

/** `make` run with the subkey and nonce of (`key`, `nonce`) in the scratch area, which is wiped right after. */
function keyed<T>(key: Uint8Array, nonce: Uint8Array, make: () => T): T {
  derive(key, nonce);
  try {
    return make();
  } finally {
    words.fill(0);
  }
}

const native: AeadCandidate = {
  // no verify: node:crypto cannot check a tag without decrypting
  name: 'native',
  seal(key, nonce, plaintext, aad, out, offset) {
    const c = keyed(key, nonce, () => createCipheriv('chacha20-poly1305', subkey, iv, OPTIONS));
    c.setAAD(aad, { plaintextLength: plaintext.length });
    out.set(c.update(plaintext), offset);
    c.final();
    out.set(c.getAuthTag(), offset + plaintext.length);
  },
  open(key, nonce, sealed, aad) {
    if (sealed.length < 16) throw new Error('invalid tag');
    const length = sealed.length - 16;
    const d = keyed(key, nonce, () => createDecipheriv('chacha20-poly1305', subkey, iv, OPTIONS));
    d.setAAD(aad, { plaintextLength: length });
    d.setAuthTag(sealed.subarray(length));
    const plaintext = d.update(sealed.subarray(0, length));
    try {
      d.final(); // throws when the tag does not match
    } catch (error) {
      plaintext.fill(0); // unauthenticated: nobody may see it, not even in memory left behind
      throw error;
    }
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  },
};

/**
 * The native implementation when `node:crypto` offers `chacha20-poly1305` (Node and Deno do, Bun
 * does not); otherwise `undefined`. aead.ts still checks it against a known answer before use.
 */
export const nativeCandidate: AeadCandidate | undefined = getCiphers().includes('chacha20-poly1305')
  ? native
  : undefined;
