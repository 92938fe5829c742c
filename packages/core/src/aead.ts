import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';
import { hchacha, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { isLE } from '@noble/ciphers/utils.js';

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03). Output of `seal` is `ciphertext || tag`
 * written into `out` at `offset`; `open` throws on a bad tag. Every implementation gives the
 * same bytes.
 */
export interface XChaCha20Poly1305 {
  /** `native` (node:crypto ChaCha20-Poly1305 with noble's HChaCha20) or `pure` (@noble/ciphers). */
  readonly name: 'native' | 'pure';
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    out: Uint8Array,
    offset: number,
  ): void;
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
}

/** Length of every key in bytes (256 bits). */
export const KEY_LENGTH = 32;
/** Length of an XChaCha20 nonce in bytes. */
export const NONCE_LENGTH = 24;
/** Length of a Poly1305 tag in bytes. */
export const TAG_LENGTH = 16;

function checkLengths(key: Uint8Array, nonce: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH)
    throw new RangeError(`XChaCha20-Poly1305 key must be ${KEY_LENGTH} bytes`);
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_LENGTH)
    throw new RangeError(`XChaCha20-Poly1305 nonce must be ${NONCE_LENGTH} bytes`);
}

/** The same implementation, refusing keys and nonces of the wrong length with one `RangeError` whatever is underneath. */
function checked(impl: XChaCha20Poly1305): XChaCha20Poly1305 {
  return {
    name: impl.name,
    seal(key, nonce, plaintext, aad, out, offset) {
      checkLengths(key, nonce);
      impl.seal(key, nonce, plaintext, aad, out, offset);
    },
    open(key, nonce, sealed, aad) {
      checkLengths(key, nonce);
      return impl.open(key, nonce, sealed, aad);
    },
  };
}

/** The pure-JavaScript implementation: @noble/ciphers. */
export const pureXChaCha: XChaCha20Poly1305 = checked({
  name: 'pure',
  seal: (key, nonce, plaintext, aad, out, offset) =>
    void xchacha20poly1305(key, nonce, aad).encrypt(plaintext, out.subarray(offset, offset + plaintext.length + 16)),
  open: (key, nonce, sealed, aad) => xchacha20poly1305(key, nonce, aad).decrypt(sealed),
});

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]); // "expand 32-byte k"
const scratch = new Uint32Array(8 + 4 + 8); // key words, nonce-prefix words, subkey words

/** HChaCha20(key, nonce[0..16]) as a Buffer for node:crypto; the scratch words are wiped. */
function subkey(key: Uint8Array, nonce: Uint8Array): Buffer {
  const bytes = new Uint8Array(scratch.buffer);
  bytes.set(key, 0);
  bytes.set(nonce.subarray(0, 16), 32);
  hchacha(SIGMA, scratch.subarray(0, 8), scratch.subarray(8, 12), scratch.subarray(12, 20));
  const out = Buffer.from(bytes.subarray(48, 80));
  scratch.fill(0);
  return out;
}

function iv(nonce: Uint8Array): Buffer {
  const out = Buffer.alloc(12);
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
      decipher.final(); // throws when the tag does not match
      return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
    } finally {
      k.fill(0);
    }
  },
};

/** The draft's A.3.1 vector, checked before the native path is trusted. */
function passesKnownAnswer(candidate: XChaCha20Poly1305): boolean {
  try {
    const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const plaintext = new Uint8Array(114).map((_, i) => i);
    const expected = new Uint8Array(130);
    pureXChaCha.seal(key, nonce, plaintext, aad, expected, 0);
    const got = new Uint8Array(130);
    candidate.seal(key, nonce, plaintext, aad, got, 0);
    return Buffer.compare(got, expected) === 0 && Buffer.compare(candidate.open(key, nonce, got, aad), plaintext) === 0;
  } catch {
    return false;
  }
}

/** The native implementation where this runtime offers it (little-endian, node:crypto with chacha20-poly1305); otherwise `undefined`. */
export const nativeXChaCha: XChaCha20Poly1305 | undefined =
  isLE && getCiphers().includes('chacha20-poly1305') && passesKnownAnswer(native) ? checked(native) : undefined;

/** The implementation in use: native where the runtime offers it (it is faster at every size measured), pure otherwise. */
export const xchacha: XChaCha20Poly1305 = nativeXChaCha ?? pureXChaCha;

/**
 * Seals with the implementation in use and frames the result: `nonce(24) || ciphertext || tag(16)`.
 * The one framing every wrapped key and sealed payload of `cv1` uses.
 * @throws RangeError for a key or nonce of the wrong length.
 */
export function sealFramed(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const out = new Uint8Array(NONCE_LENGTH + plaintext.length + TAG_LENGTH);
  out.set(nonce, 0);
  xchacha.seal(key, nonce, plaintext, aad, out, NONCE_LENGTH);
  return out;
}

/**
 * Opens {@link sealFramed} output; `undefined` when it is too short or does not authenticate
 * (callers turn that into their own typed error).
 * @throws RangeError for a key of the wrong length.
 */
export function openFramed(key: Uint8Array, framed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  if (framed.length < NONCE_LENGTH + TAG_LENGTH) return undefined;
  const nonce = framed.subarray(0, NONCE_LENGTH);
  checkLengths(key, nonce);
  try {
    return xchacha.open(key, nonce, framed.subarray(NONCE_LENGTH), aad);
  } catch {
    return undefined;
  }
}
