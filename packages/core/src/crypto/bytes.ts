/** Byte helpers: UTF-8, length-prefixed framing, scratch buffers and random bytes, on web globals only. Internal. */

const encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF stays in the text (and makes it not JSON), as FORMAT.md's strict reader requires.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The text of UTF-8 `bytes`; throws `TypeError` on malformed UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * A reusable buffer for bytes that are used at once and never kept (the framed associated data
 * and the plaintext of a seal, which the AEAD reads synchronously): it saves an allocation per
 * call. What one call wrote is valid until the next call on the same scratch, so it must never
 * be held across an `await`; whoever writes a secret into it wipes it after use.
 */
export class Scratch {
  #bytes = new Uint8Array(0);

  /** At least `size` bytes of the buffer (their content is whatever the last user left). */
  take(size: number): Uint8Array {
    if (this.#bytes.length < size) this.#bytes = new Uint8Array(Math.max(size, 2 * this.#bytes.length, 1024));
    return this.#bytes;
  }
}

/** Where {@link frame} writes when it is not given a scratch, before copying out what it wrote. */
const frameScratch = new Scratch();

/**
 * Frames each part as a 4-byte big-endian length followed by its UTF-8 bytes, after a fixed
 * label and a 0x00 byte, so that no two different part lists give the same bytes. Into a fresh
 * array, or into `scratch` (see {@link Scratch}).
 */
export function frame(label: string, parts: readonly string[], scratch?: Scratch): Uint8Array {
  let size = label.length + 1; // labels are ASCII
  for (const part of parts) size += 4 + part.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
  const out = (scratch ?? frameScratch).take(size);
  let offset = writeUtf8(label, out, 0);
  out[offset++] = 0;
  for (const part of parts) {
    const written = writeUtf8(part, out, offset + 4);
    out[offset] = written >>> 24;
    out[offset + 1] = (written >>> 16) & 255;
    out[offset + 2] = (written >>> 8) & 255;
    out[offset + 3] = written & 255;
    offset += 4 + written;
  }
  // A copy of exactly the bytes written: a short frame (most wrap contexts) fits in the JavaScript
  // heap, where V8 allocates it far faster than the off-heap store of a larger array.
  return scratch === undefined ? out.slice(0, offset) : out.subarray(0, offset);
}

/** UTF-8 bytes of `text`, written into `scratch` (see {@link Scratch}). */
export function utf8Into(text: string, scratch: Scratch): Uint8Array {
  const out = scratch.take(text.length * 3);
  return out.subarray(0, writeUtf8(text, out, 0));
}

/** Writes `text` as UTF-8 at `at`, returning the bytes written: short ASCII by hand (kids, namespaces, most ids), the rest through TextEncoder. */
function writeUtf8(text: string, out: Uint8Array, at: number): number {
  if (text.length <= 64) {
    let i = 0;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      out[at + i] = code;
    }
    if (i === text.length) return i;
  }
  return encoder.encodeInto(text, out.subarray(at)).written;
}

const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * Cryptographically random bytes from the platform's CSPRNG. Small requests are served from a
 * 4 KiB pool filled by one `getRandomValues` call (each byte handed out once, then copied), as
 * the call itself costs more than the bytes; large ones go to the CSPRNG directly.
 */
export function randomBytes(length: number): Uint8Array {
  if (length > 256) return crypto.getRandomValues(new Uint8Array(length));
  if (poolOffset + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + length);
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
}
