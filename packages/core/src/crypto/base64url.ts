/** Strict base64url (RFC 4648 §5, unpadded) on web globals, with the runtime's native codec for long inputs where it agrees. Internal. */
import { type NativeBase64, nativeBase64 } from '#base64-native';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Character code to its 6-bit value; -1 for every character outside the alphabet. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

const CODES = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Every 12-bit value as its two base64url characters, in the byte order of a Uint16Array here. */
const PAIRS = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) {
  const [first, second] = [CODES[i >> 6] as number, CODES[i & 63] as number];
  PAIRS[i] = LITTLE_ENDIAN ? first | (second << 8) : (first << 8) | second;
}
/** Where the JavaScript encoder writes its characters (as bytes, and as pairs of them), grown as needed
 * (declared before `agrees` first runs the encoder, below). */
let encoded = new Uint8Array(256);
let encodedPairs = new Uint16Array(encoded.buffer);

/** Decodes the ASCII the encoder writes (windows-1252, which every runtime has, is ASCII below 0x80). */
const ascii = new TextDecoder('latin1');

/**
 * Inputs above this many bytes (or characters) go to the native codec where there is one: below
 * it the JavaScript one is as fast, and handing a small array that lives on the JavaScript heap
 * to native code costs it a copy.
 */
const NATIVE_FROM = 64;

/**
 * Whether the runtime's native codec gives what the JavaScript one gives, on texts of every
 * length class and on texts it must refuse: checked once before it is trusted, as the native
 * AEAD path is (a runtime whose Buffer padded, or accepted a non-canonical text, would write or
 * read records other runtimes refuse). Both of its decoders where it has two (`decodeTransient`).
 */
export function agrees(codec: Omit<NativeBase64, 'decodeTransient'> & Partial<NativeBase64>): boolean {
  try {
    const decoders = codec.decodeTransient === undefined ? [codec.decode] : [codec.decode, codec.decodeTransient];
    for (const decode of decoders) {
      for (const length of [65, 66, 67, 300]) {
        const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + 7) & 255);
        const text = encodeBase64url(bytes);
        const back = decode(text);
        if (codec.encode(bytes) !== text || back.length !== length || back.some((byte, i) => byte !== bytes[i])) {
          return false;
        }
      }
      const long = 'A'.repeat(200);
      for (const bad of ['A', 'AB', 'AAB', 'AA==', 'AAA=', ' AAAA', 'AA+A', 'AA/A', 'AA\u00e9A']) {
        try {
          decode(`${long}${bad}`);
          return false;
        } catch {}
      }
    }
    return true;
  } catch {
    return false;
  }
}

const native = nativeBase64 !== undefined && agrees(nativeBase64) ? nativeBase64 : undefined;

/** Unpadded base64url of `bytes` (RFC 4648 §5). */
export function toBase64url(bytes: Uint8Array): string {
  return native !== undefined && bytes.length > NATIVE_FROM ? native.encode(bytes) : encodeBase64url(bytes);
}

/** The JavaScript encoder: two characters per table lookup, one string at the end. */
function encodeBase64url(bytes: Uint8Array): string {
  const whole = bytes.length - (bytes.length % 3);
  const length = (whole / 3) * 4 + (bytes.length === whole ? 0 : bytes.length - whole + 1);
  if (encoded.length < length + 1) {
    encoded = new Uint8Array(2 * (length + 1));
    encodedPairs = new Uint16Array(encoded.buffer);
  }
  const out = encoded;
  const pairs = encodedPairs;
  let o = 0;
  let i = 0;
  for (; i < whole; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    pairs[o++] = PAIRS[n >> 12] as number;
    pairs[o++] = PAIRS[n & 4095] as number;
  }
  let at = o * 2;
  if (bytes.length - whole === 1) {
    const n = (bytes[i] as number) << 16;
    out[at++] = CODES[n >> 18] as number;
    out[at++] = CODES[(n >> 12) & 63] as number;
  } else if (bytes.length - whole === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out[at++] = CODES[n >> 18] as number;
    out[at++] = CODES[(n >> 12) & 63] as number;
    out[at++] = CODES[(n >> 6) & 63] as number;
  }
  const text = ascii.decode(out.subarray(0, length));
  out.fill(0, 0, length); // what was encoded may be a key: nothing of it stays behind in the scratch
  return text;
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
  return native !== undefined && text.length > NATIVE_FROM * 2 ? native.decode(text) : decodeBase64url(text);
}

/**
 * {@link fromBase64url} into a buffer reused by the next call (where the native codec serves):
 * for bytes used at once and never kept nor held across an `await`, such as a sealed part being
 * verified. Saves an allocation outside the JavaScript heap per call; as strict.
 */
export function fromBase64urlTransient(text: string): Uint8Array {
  return native !== undefined && text.length > NATIVE_FROM * 2 ? native.decodeTransient(text) : decodeBase64url(text);
}

/** The JavaScript decoder. */
function decodeBase64url(text: string): Uint8Array {
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
