/** Byte helpers: strict base64url, UTF-8 and length-prefixed framing. Internal. */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const BASE64URL = /^[A-Za-z0-9_-]*$/;

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
 * Decodes unpadded base64url strictly: any character outside the alphabet, a length that
 * cannot occur, or non-zero trailing bits (a non-canonical encoding) is a `TypeError`.
 */
export function fromBase64url(text: string): Uint8Array {
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new TypeError('invalid base64url');
  }
  const buffer = Buffer.from(text, 'base64url');
  if (buffer.toString('base64url') !== text) throw new TypeError('non-canonical base64url');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Frames each part as a 4-byte big-endian length followed by its bytes, after a fixed
 * label, so that no two different part lists give the same bytes.
 */
export function frame(label: string, parts: readonly Uint8Array[]): Uint8Array {
  const head = utf8(label);
  let size = head.length + 1;
  for (const part of parts) size += 4 + part.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(head, 0);
  let offset = head.length + 1; // a 0x00 byte ends the label
  for (const part of parts) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

/** Cryptographically random bytes from the platform's CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
