/** Byte helpers: strict base64url, UTF-8 and length-prefixed framing, on web globals only. Internal. */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The text of UTF-8 `bytes`; throws `TypeError` on malformed UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Character code to its 6-bit value; -1 for every character outside the alphabet. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** Unpadded base64url of `bytes` (RFC 4648 §5). */
export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  const whole = bytes.length - (bytes.length % 3);
  let i = 0;
  for (; i < whole; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      ALPHABET.charAt(n >> 18) +
      ALPHABET.charAt((n >> 12) & 63) +
      ALPHABET.charAt((n >> 6) & 63) +
      ALPHABET.charAt(n & 63);
  }
  if (bytes.length - whole === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
  } else if (bytes.length - whole === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63);
  }
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? (VALUES[code] as number) : -1;
  if (value < 0) throw new TypeError('invalid or non-canonical base64url');
  return value;
}

/**
 * Decodes unpadded base64url strictly: any character outside the alphabet, padding, a length
 * that cannot occur, or non-zero trailing bits (a non-canonical encoding) is a `TypeError`,
 * so every byte string has exactly one accepted text.
 */
export function fromBase64url(text: string): Uint8Array {
  const rest = text.length % 4;
  if (rest === 1) throw new TypeError('invalid or non-canonical base64url');
  const out = new Uint8Array(((text.length - rest) / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  const whole = text.length - rest;
  let o = 0;
  let i = 0;
  for (; i < whole; i += 4) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6) | sextet(text, i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12);
    if (n & 0xffff) throw new TypeError('invalid or non-canonical base64url');
    out[o] = n >> 16;
  } else if (rest === 3) {
    const n = (sextet(text, i) << 18) | (sextet(text, i + 1) << 12) | (sextet(text, i + 2) << 6);
    if (n & 0xff) throw new TypeError('invalid or non-canonical base64url');
    out[o++] = n >> 16;
    out[o] = (n >> 8) & 255;
  }
  return out;
}

/**
 * Frames each part as a 4-byte big-endian length followed by its UTF-8 bytes, after a fixed
 * label and a 0x00 byte, so that no two different part lists give the same bytes.
 */
export function frame(label: string, parts: readonly string[]): Uint8Array {
  let size = label.length + 1; // labels are ASCII
  for (const part of parts) size += 4 + part.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = encoder.encodeInto(label, out).written;
  out[offset++] = 0;
  for (const part of parts) {
    const { written } = encoder.encodeInto(part, out.subarray(offset + 4));
    view.setUint32(offset, written);
    offset += 4 + written;
  }
  return out.subarray(0, offset);
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
