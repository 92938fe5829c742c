import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { isLE } from '@noble/ciphers/utils.js';
import { nativeCandidate } from '#aead-native';
import { loadWasmCandidate } from '#aead-wasm';
import type { Scratch } from './bytes.js';

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03). Output of `seal` is `ciphertext || tag`
 * written into `out` at `offset`; `open` throws on a bad tag. Every implementation gives the
 * same bytes.
 */
export interface XChaCha20Poly1305 {
  /** Which implementation: see {@link CryptoBackend}. */
  readonly name: CryptoBackend;
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    out: Uint8Array,
    offset: number,
  ): void;
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * Whether `sealed` (`ciphertext || tag`) authenticates, without handing out its plaintext: the
   * WebAssembly path checks the tag and never decrypts; the others open and wipe.
   */
  verify(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): boolean;
}

/**
 * An implementation as a candidate module offers it: without `verify` where it can only open
 * (node:crypto, @noble/ciphers), which {@link checked} then gives it by opening and wiping.
 */
export type AeadCandidate = Omit<XChaCha20Poly1305, 'verify'> & Partial<Pick<XChaCha20Poly1305, 'verify'>>;

/** `verify` for an implementation that can only open: open, wipe, answer. */
function verifyByOpening(
  open: XChaCha20Poly1305['open'],
): (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array) => boolean {
  return (key, nonce, sealed, aad) => {
    let plaintext: Uint8Array;
    try {
      plaintext = open(key, nonce, sealed, aad);
    } catch {
      return false;
    }
    plaintext.fill(0);
    return true;
  };
}

/**
 * An XChaCha20-Poly1305 implementation: `wasm` (libsodium compiled to WebAssembly), `native`
 * (node:crypto ChaCha20-Poly1305 with noble's HChaCha20) or `pure` (@noble/ciphers).
 */
export type CryptoBackend = 'wasm' | 'native' | 'pure';

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

/**
 * The same implementation, refusing keys and nonces of the wrong length with one `RangeError`
 * whatever is underneath, and with a `verify` that opens and wipes where it has none.
 */
function checked(impl: AeadCandidate): XChaCha20Poly1305 {
  const verify = impl.verify ?? verifyByOpening(impl.open);
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
    verify(key, nonce, sealed, aad) {
      checkLengths(key, nonce);
      return verify(key, nonce, sealed, aad);
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The draft's A.3.1 vector, checked before the native or WebAssembly path is trusted (seal, open and verify). */
export function passesKnownAnswer(candidate: XChaCha20Poly1305): boolean {
  try {
    const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const plaintext = new Uint8Array(114).map((_, i) => i);
    const expected = new Uint8Array(130);
    pureXChaCha.seal(key, nonce, plaintext, aad, expected, 0);
    const got = new Uint8Array(130);
    candidate.seal(key, nonce, plaintext, aad, got, 0);
    if (!sameBytes(got, expected) || !sameBytes(candidate.open(key, nonce, got, aad), plaintext)) return false;
    // verify must say yes to the vector and no to it with one bit flipped: a yes-sayer fails open.
    const flipped = Uint8Array.from(got);
    (flipped[129] as number) ^= 1;
    return candidate.verify(key, nonce, got, aad) === true && candidate.verify(key, nonce, flipped, aad) === false;
  } catch {
    return false;
  }
}

/** A candidate, checked, if it passes the known answer; otherwise `undefined`. */
function trusted(candidate: AeadCandidate | undefined): XChaCha20Poly1305 | undefined {
  if (candidate === undefined) return undefined;
  const impl = checked(candidate);
  return passesKnownAnswer(impl) ? impl : undefined;
}

/**
 * The native implementation where this runtime offers it (a little-endian runtime whose
 * `node:crypto` has chacha20-poly1305, reached through the `node` export condition, and which
 * passes the known answer); otherwise `undefined`.
 */
export const nativeXChaCha: XChaCha20Poly1305 | undefined = isLE ? trusted(nativeCandidate) : undefined;

/**
 * The implementation in use: native where the runtime offers it, pure otherwise, until the
 * WebAssembly one has loaded and passed the known answer (a few milliseconds after this module
 * is imported); from then on that one, the fastest at every size measured. All of them give the
 * same bytes, so which one served a call never shows in what it returned.
 */
export let xchacha: XChaCha20Poly1305 = nativeXChaCha ?? pureXChaCha;

/**
 * The WebAssembly implementation once it has loaded and passed the known answer; `undefined`
 * where it does not load (browsers, edge workers, runtimes without WebAssembly).
 */
export const wasmXChaCha: Promise<XChaCha20Poly1305 | undefined> = loadWasmCandidate(xchacha).then((candidate) => {
  const wasm = trusted(candidate);
  if (wasm !== undefined) xchacha = wasm;
  return wasm;
});

/**
 * Which XChaCha20-Poly1305 implementation seals and opens in this runtime now: `wasm` (libsodium
 * compiled to WebAssembly; Node, Deno and Bun once {@link cryptoReady} has settled), `native`
 * (node:crypto ChaCha20-Poly1305 with HChaCha20 from @noble/ciphers; Node and Deno until then) or
 * `pure` (@noble/ciphers; browsers, edge workers). All give byte-identical output.
 */
export function cryptoBackend(): CryptoBackend {
  return xchacha.name;
}

/**
 * Settles when the WebAssembly implementation has loaded (or could not be), with the backend in
 * use from then on. Nothing needs to wait for it: until then the native or pure path serves,
 * with the same bytes. Never rejects.
 */
export async function cryptoReady(): Promise<CryptoBackend> {
  await wasmXChaCha;
  return xchacha.name;
}

/**
 * Seals with the implementation in use and frames the result: `nonce(24) || ciphertext || tag(16)`.
 * The one framing every wrapped key and sealed payload of `cv1` uses. Into a fresh array, or
 * into `scratch` for output encoded at once (see {@link Scratch}).
 * @throws RangeError for a key or nonce of the wrong length.
 */
export function sealFramed(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  scratch?: Scratch,
): Uint8Array {
  const size = NONCE_LENGTH + plaintext.length + TAG_LENGTH;
  const out = scratch === undefined ? new Uint8Array(size) : scratch.take(size).subarray(0, size);
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

/**
 * Whether {@link sealFramed} output authenticates under `key` and `aad`, without handing out its
 * plaintext (on the WebAssembly path it is never decrypted); `false` when it is too short.
 * @throws RangeError for a key of the wrong length.
 */
export function verifyFramed(key: Uint8Array, framed: Uint8Array, aad: Uint8Array): boolean {
  if (framed.length < NONCE_LENGTH + TAG_LENGTH) return false;
  const nonce = framed.subarray(0, NONCE_LENGTH);
  checkLengths(key, nonce);
  return xchacha.verify(key, nonce, framed.subarray(NONCE_LENGTH), aad);
}
