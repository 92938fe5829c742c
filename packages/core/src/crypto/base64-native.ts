/**
 * Native base64url for runtimes with `node:buffer` (Node, Deno, Bun), reached only through the
 * `#base64-native` import with the `node` condition; other bundles get ./base64-none.ts. It is
 * made strict by a round trip: a text is accepted only if encoding its bytes gives it back, which
 * refuses everything base64url.ts's own decoder refuses (padding, characters outside the alphabet,
 * white space, non-zero trailing bits, impossible lengths). Internal.
 */
import { Buffer } from 'node:buffer';

/** Strict base64url through the runtime's native codec. */
export interface NativeBase64 {
  /** Unpadded base64url of `bytes`. */
  encode(bytes: Uint8Array): string;
  /** The bytes of `text`, in an array of their own; throws `TypeError` for any text `encode` would not write. */
  decode(text: string): Uint8Array;
  /**
   * As `decode`, into a buffer this module reuses: valid until the next call, never to be kept
   * or held across an `await` (for bytes used at once, such as a sealed part being verified).
   */
  decodeTransient(text: string): Uint8Array;
}

/** The buffer {@link NativeBase64.decodeTransient} decodes into, grown as needed. */
let transient = Buffer.allocUnsafeSlow(2048);

export const nativeBase64: NativeBase64 | undefined = {
  encode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url'),
  decode(text) {
    const length = (text.length * 3) >> 2;
    // Not Buffer.from(text): small results would land in Buffer's shared pool, beside other data.
    const out = Buffer.allocUnsafeSlow(length);
    if (out.write(text, 'base64url') !== length || out.toString('base64url') !== text) {
      out.fill(0);
      throw new TypeError('invalid or non-canonical base64url');
    }
    return new Uint8Array(out.buffer, out.byteOffset, length);
  },
  decodeTransient(text) {
    const length = (text.length * 3) >> 2;
    if (transient.length < length) transient = Buffer.allocUnsafeSlow(Math.max(length, 2 * transient.length));
    // The same round trip as decode: written, then encoded back and compared with the text.
    if (transient.write(text, 0, length, 'base64url') !== length || transient.toString('base64url', 0, length) !== text)
      throw new TypeError('invalid or non-canonical base64url');
    return transient.subarray(0, length);
  },
};
