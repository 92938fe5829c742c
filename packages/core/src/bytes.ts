/** Byte helpers: strict base64url, UTF-8 and length-prefixed framing. Internal. */

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

/** Unpadded base64url of `bytes` (RFC 4648 §5). */
export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes unpadded base64url strictly: any character outside the alphabet, padding, a length
 * that cannot occur, or non-zero trailing bits (a non-canonical encoding) is a `TypeError`.
 * Node's decoder skips what it does not understand, so re-encoding and comparing catches all
 * of these at once.
 */
export function fromBase64url(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64url');
  if (buffer.toString('base64url') !== text) throw new TypeError('invalid or non-canonical base64url');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Frames each part as a 4-byte big-endian length followed by its UTF-8 bytes, after a fixed
 * label and a 0x00 byte, so that no two different part lists give the same bytes.
 */
export function frame(label: string, parts: readonly string[]): Uint8Array {
  let size = label.length + 1; // labels are ASCII
  for (const part of parts) size += 4 + Buffer.byteLength(part, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let offset = out.write(label, 0, 'latin1');
  out[offset++] = 0;
  for (const part of parts) {
    const length = out.write(part, offset + 4, 'utf8');
    out.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
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
