/** The `cv1` envelope's text: its parts written and split, nothing sealed or opened here. Internal. */
import { fromBase64url, toBase64url } from '../crypto/index.js';
import { invalidArgument, isRecordLike, VaultError } from '../errors/index.js';

/**
 * The `cv1` envelope, as specified in FORMAT.md:
 * `cv1.<kid>.<base64url wrapped DEK>.<base64url sealed secrets>.<canonical JSON of readable fields>`
 */
export const FORMAT_VERSION = 'cv1';
/** What every `cv1` envelope text starts with. */
const PREFIX = `${FORMAT_VERSION}.`;

/** The parts of a `cv1` envelope. */
export interface EnvelopeParts {
  /** Key id the data key is wrapped under. */
  readonly kid: string;
  /** The data key as the keyring wrapped it; its length and layout belong to the keyring (72 bytes for the local one). */
  readonly wrappedKey: Uint8Array;
  /** `nonce(24) || XChaCha20-Poly1305(DEK, secret JSON) || tag(16)`. */
  readonly sealed: Uint8Array;
  /** Canonical JSON text of the readable fields. */
  readonly readable: string;
}

/** A kid as FORMAT.md gives it (the keyring's rule). */
const KID = /^[A-Za-z0-9_~-]{1,64}$/;

/**
 * Writes the envelope text.
 * @throws VaultError `INVALID_ARGUMENT` naming the part at fault (`parts`, `parts.kid`,
 * `parts.wrappedKey`, `parts.sealed`, `parts.readable`): `parts` that is not an object, a kid
 * that is not 1-64 characters of `A-Z a-z 0-9 _ - ~`, a wrapped key that is not non-empty bytes,
 * sealed secrets that are not bytes, or readable text that is not a string.
 */
export function formatEnvelope(parts: EnvelopeParts): string {
  checkParts(parts);
  const { kid, readable } = parts;
  return joinEnvelope({ kid, wrappedKey: toBase64url(parts.wrappedKey), sealed: toBase64url(parts.sealed), readable });
}

/** Writes the envelope text from its parts' texts (already encoded): the inverse of {@link splitEnvelope}. */
export function joinEnvelope(texts: EnvelopeTexts): string {
  return `${joinHead(texts.kid, texts.wrappedKey)}.${texts.sealed}.${texts.readable}`;
}

/** An envelope's head from its kid and wrapped key's text: `cv1.<kid>.<wrapped DEK>` (see {@link envelopeHead}). */
export function joinHead(kid: string, wrappedKey: string): string {
  return `${PREFIX}${kid}.${wrappedKey}`;
}

/**
 * Checks the argument of {@link formatEnvelope}.
 * @throws VaultError `INVALID_ARGUMENT` naming the part at fault.
 */
function checkParts(parts: unknown): asserts parts is EnvelopeParts {
  if (!isRecordLike(parts)) throw invalidArgument('parts', 'an object of envelope parts');
  if (typeof parts.kid !== 'string' || !KID.test(parts.kid)) {
    throw invalidArgument('parts.kid', 'a kid of 1-64 characters A-Z a-z 0-9 _ - ~');
  }
  if (!(parts.wrappedKey instanceof Uint8Array) || parts.wrappedKey.length === 0) {
    throw invalidArgument('parts.wrappedKey', 'non-empty bytes (a Uint8Array)');
  }
  if (!(parts.sealed instanceof Uint8Array)) throw invalidArgument('parts.sealed', 'bytes (a Uint8Array)');
  if (typeof parts.readable !== 'string') throw invalidArgument('parts.readable', 'a string');
}

/**
 * The kid of an envelope without decoding the rest, or `undefined` if it is not `cv1`: so for
 * anything that is not a string (a question about a value, not a bad argument; never throws).
 */
export function envelopeKid(text: string): string | undefined {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) return undefined;
  const end = text.indexOf('.', PREFIX.length);
  return end === -1 ? undefined : text.slice(PREFIX.length, end);
}

/**
 * An envelope's head: `cv1.<kid>.<wrapped DEK>`, all that a rewrap changes (the sealed part and
 * readable text after it stay as they were). `undefined` when it is not a `cv1` envelope.
 */
export function envelopeHead(text: string): string | undefined {
  const end = headEnd(text);
  return end === -1 ? undefined : text.slice(0, end);
}

/**
 * `stored` with its head replaced by `head`, a head under `kid`; `undefined` when `head` is not
 * exactly one (`cv1.<kid>.<wrapped DEK>`, nothing after it) or `stored` is not a `cv1` envelope.
 */
export function withHead(stored: string, head: string, kid: string): string | undefined {
  const start = `${PREFIX}${kid}.`;
  const end = headEnd(stored);
  if (end === -1 || !head.startsWith(start) || head.length === start.length || head.includes('.', start.length))
    return undefined;
  return head + stored.slice(end);
}

/** The index of the dot that ends an envelope's head, or -1 when it is not a `cv1` envelope. */
function headEnd(text: string): number {
  if (!text.startsWith(PREFIX)) return -1;
  const kidEnd = text.indexOf('.', PREFIX.length);
  return kidEnd === -1 ? -1 : text.indexOf('.', kidEnd + 1);
}

/** The error for an envelope that is not well-formed `cv1`. */
export function malformed(what: string): VaultError {
  return new VaultError('DECRYPT_FAILED', `malformed ${FORMAT_VERSION} envelope: ${what}`);
}

/** An envelope split into its texts, nothing decoded yet. */
export interface EnvelopeTexts {
  readonly kid: string;
  readonly wrappedKey: string;
  readonly sealed: string;
  readonly readable: string;
}

/**
 * Splits an envelope into its texts without decoding them.
 * @throws VaultError `DECRYPT_FAILED` when it is not `cv1` or lacks a part.
 */
export function splitEnvelope(text: unknown): EnvelopeTexts {
  if (typeof text !== 'string') throw malformed('not a string');
  if (!text.startsWith(PREFIX)) throw malformed('unknown format version');
  const a = text.indexOf('.', PREFIX.length);
  const b = a === -1 ? -1 : text.indexOf('.', a + 1);
  const c = b === -1 ? -1 : text.indexOf('.', b + 1);
  if (c === -1) throw malformed('missing parts');
  return {
    kid: text.slice(PREFIX.length, a),
    wrappedKey: text.slice(a + 1, b),
    sealed: text.slice(b + 1, c),
    readable: text.slice(c + 1),
  };
}

/**
 * Splits an envelope into its parts.
 * @throws VaultError `DECRYPT_FAILED` when it is not a well-formed `cv1` envelope.
 */
export function parseEnvelope(text: unknown): EnvelopeParts {
  return decodeParts(splitEnvelope(text));
}

/**
 * Decodes split texts into parts.
 * @throws VaultError `DECRYPT_FAILED` for bad base64url or an empty wrapped key.
 */
export function decodeParts(texts: EnvelopeTexts): EnvelopeParts {
  try {
    const parts = {
      kid: texts.kid,
      wrappedKey: fromBase64url(texts.wrappedKey),
      sealed: fromBase64url(texts.sealed),
      readable: texts.readable,
    };
    if (parts.wrappedKey.length === 0) throw malformed('empty wrapped key');
    return parts;
  } catch (error) {
    throw error instanceof VaultError ? error : malformed('bad base64url');
  }
}
