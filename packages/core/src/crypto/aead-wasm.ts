/**
 * The WebAssembly XChaCha20-Poly1305 candidate: libsodium's own
 * `crypto_aead_xchacha20poly1305_ietf_*`, compiled to WebAssembly by libsodium.js (the raw
 * `libsodium` package, without its wrappers, which copy every input into a fresh allocation and
 * free it unwiped). Reached only through the `#aead-wasm` import with the `node` condition (Node,
 * Deno, Bun); bundles for browsers and edge workers get ./aead-none.ts and never load it. Internal.
 *
 * Why: a node:crypto cipher call costs ~6 µs whatever its size (the cipher object and its
 * context), and the 32-byte key wraps of an envelope are almost all call. Here a 32-byte seal
 * costs ~1.1 µs and a 1 KiB one ~4 µs, measured on this project's 2-core VMs.
 */
import libsodium from 'libsodium';
import type { XChaCha20Poly1305 } from './aead.js';

/** The raw module's functions this file calls. A 64-bit length is passed as two 32-bit halves. */
export interface SodiumModule {
  readonly HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _sodium_init(): number;
  // (c, clen_p, m, mlen_lo, mlen_hi, ad, adlen_lo, adlen_hi, nsec, npub, k)
  _crypto_aead_xchacha20poly1305_ietf_encrypt(...args: number[]): number;
  // (m, mlen_p, nsec, c, clen_lo, clen_hi, ad, adlen_lo, adlen_hi, npub, k); m = 0 (NULL): check the tag only
  _crypto_aead_xchacha20poly1305_ietf_decrypt(...args: number[]): number;
}

const KEY = 32;
const NONCE = 24;
const TAG = 16;
/** The first work area's size; a call that needs more gets a larger one (the old one freed). */
const FIRST_AREA = 16 * 1024;
/** What a tag check that passed answers: no plaintext. */
const EMPTY = new Uint8Array(0);

/** libsodium seeds its own generator at init; credvault never draws from it, but gives it the platform's. */
function getRandomValue(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

// One closure over ~100 lines, on purpose: seal, open and verify share the work area's address
// and size, which every call of this hot path reads; split up, each call would pass them around.
/**
 * XChaCha20-Poly1305 over a loaded module (exported for the tests, which read its memory). One
 * work area in the module's memory per thread (each worker has its own module instance; calls
 * never interleave, they are synchronous), laid out per call as key, nonce, AAD, input, output,
 * and wiped before the call returns, so no key or plaintext is left there between calls.
 * `fallback` serves a call whose inputs the module cannot allocate room for.
 */
export function wasmXChaChaOver(sodium: SodiumModule, fallback: XChaCha20Poly1305): XChaCha20Poly1305 {
  let area = 0;
  let capacity = 0;
  /** The work area with room for `size` bytes, or 0 when the module cannot allocate it. */
  const reserve = (size: number): number => {
    if (size <= capacity) return area;
    const want = Math.max(size, FIRST_AREA, capacity * 2);
    const next = sodium._malloc(want);
    if (next === 0) return 0;
    if (area !== 0) sodium._free(area); // already wiped: every call wipes what it wrote
    [area, capacity] = [next, want];
    return area;
  };
  // Where the last `place` put each part: key at `at`, nonce `n`, AAD `a`, input `i`, output
  // `o` up to `end`; read at once by the call that placed them (kept here, not in an object a call).
  let n = 0;
  let a = 0;
  let i = 0;
  let o = 0;
  let end = 0;
  /**
   * Lays key, nonce, AAD and `input` out in the work area, with `output` bytes after them (see
   * the offsets above), and answers the module's memory; `undefined` when it cannot allocate room.
   */
  const place = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, input: Uint8Array, output: number) => {
    const at = reserve(KEY + NONCE + aad.length + input.length + output);
    if (at === 0) return undefined;
    const heap = sodium.HEAPU8; // read after the allocation: memory growth replaces it
    n = at + KEY;
    a = n + NONCE;
    i = a + aad.length;
    o = i + input.length;
    end = o + output;
    heap.set(key, at);
    heap.set(nonce, n);
    heap.set(aad, a);
    heap.set(input, i);
    return heap;
  };
  /**
   * Decrypts `sealed` in the work area into a fresh array, or with `into` false only checks its
   * tag (libsodium then computes the Poly1305 tag and never runs the cipher): the plaintext (an
   * empty array for a tag alone), `false` when it does not authenticate, `undefined` when the
   * module cannot allocate room.
   */
  const decrypt = (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, into: boolean) => {
    const length = sealed.length - TAG;
    const heap = place(key, nonce, aad, sealed, into ? length : 0);
    if (heap === undefined) return undefined;
    try {
      // libsodium checks the tag before it decrypts (and zeroes the output when it fails).
      const ok =
        sodium._crypto_aead_xchacha20poly1305_ietf_decrypt(
          into ? o : 0,
          0,
          0,
          i,
          sealed.length,
          0,
          a,
          aad.length,
          0,
          n,
          area,
        ) === 0;
      return ok ? (into ? heap.slice(o, end) : EMPTY) : false;
    } finally {
      heap.fill(0, area, end);
    }
  };
  return {
    name: 'wasm',
    seal(key, nonce, plaintext, aad, out, offset) {
      const heap = place(key, nonce, aad, plaintext, plaintext.length + TAG);
      if (heap === undefined) return fallback.seal(key, nonce, plaintext, aad, out, offset);
      try {
        if (
          sodium._crypto_aead_xchacha20poly1305_ietf_encrypt(
            o,
            0,
            i,
            plaintext.length,
            0,
            a,
            aad.length,
            0,
            0,
            n,
            area,
          ) !== 0
        )
          throw new Error('libsodium refused to seal');
        out.set(heap.subarray(o, end), offset);
      } finally {
        heap.fill(0, area, end);
      }
    },
    open(key, nonce, sealed, aad) {
      if (sealed.length < TAG) throw new Error('invalid tag');
      const result = decrypt(key, nonce, sealed, aad, true);
      if (result === undefined) return fallback.open(key, nonce, sealed, aad);
      if (result === false) throw new Error('invalid tag');
      return result;
    },
    verify(key, nonce, sealed, aad) {
      if (sealed.length < TAG) return false;
      const result = decrypt(key, nonce, sealed, aad, false);
      return result === undefined ? fallback.verify(key, nonce, sealed, aad) : result !== false;
    },
  };
}

/** Instantiates libsodium's WebAssembly module (a few milliseconds), quietly: no console output. */
export async function loadSodium(): Promise<SodiumModule> {
  const sodium = (await libsodium({ getRandomValue, print: () => {}, printErr: () => {} })) as SodiumModule;
  if (sodium._sodium_init() < 0) throw new Error('libsodium did not initialise');
  return sodium;
}

/**
 * libsodium's XChaCha20-Poly1305 over its WebAssembly module, or `undefined` where the module does
 * not load (no WebAssembly, a policy that forbids compiling it). aead.ts still checks the result
 * against a known answer before use.
 */
export async function loadWasmCandidate(fallback: XChaCha20Poly1305): Promise<XChaCha20Poly1305 | undefined> {
  try {
    return wasmXChaChaOver(await loadSodium(), fallback);
  } catch {
    return undefined;
  }
}
