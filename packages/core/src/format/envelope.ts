import {
  frame,
  fromBase64url,
  fromBase64urlTransient,
  fromUtf8,
  KEY_LENGTH,
  NONCE_LENGTH,
  openFramed,
  randomBytes,
  Scratch,
  sealFramed,
  toBase64url,
  utf8Into,
  verifyFramed,
} from '../crypto/index.js';
import { VaultError } from '../errors/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import {
  decodeParts,
  type EnvelopeParts,
  type EnvelopeTexts,
  joinEnvelope,
  joinHead,
  malformed,
  splitEnvelope,
  withHead,
} from './envelope-text.js';

/** What a record is sealed from and opened to. */
export interface RecordText {
  /** Canonical JSON of the readable fields. */
  readonly readable: string;
  /** Canonical JSON of the secret fields. */
  readonly secret: string;
}

/** Associated data the wrapped DEK is bound to. */
export function wrapContext(kid: string, namespace: string, id: string): Uint8Array {
  return frame('credvault/cv1/wrap', [kid, namespace, id]);
}

/**
 * Associated data the sealed secrets are bound to. It does not depend on the kid, so rotation
 * leaves it alone. Into a fresh array, or into `scratch` for a seal or open made at once.
 */
export function dataContext(namespace: string, id: string, readable: string, scratch?: Scratch): Uint8Array {
  return frame('credvault/cv1/data', [namespace, id, readable], scratch);
}

/** The data context, the plaintext and the sealed bytes of a seal or open: used synchronously, never kept. */
const contextScratch = new Scratch();
const plaintextScratch = new Scratch();
const sealedScratch = new Scratch();

/** `nonce || XChaCha20-Poly1305(key, nonce, aad).encrypt(plaintext)`, into a fresh array or into `scratch`. */
export const sealBytes: (
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  scratch?: Scratch,
) => Uint8Array = sealFramed;

/**
 * Opens {@link sealBytes} output.
 * @throws VaultError `DECRYPT_FAILED` when it does not authenticate.
 */
export function openBytes(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  const plaintext = openFramed(key, sealed, aad);
  if (plaintext === undefined) throw new VaultError('DECRYPT_FAILED', 'sealed part does not authenticate');
  return plaintext;
}

/**
 * Checks what a keyring unwrapped: anything but 32 bytes is `DECRYPT_FAILED` (a keyring, local
 * or remote, decides the wrapped length; the envelope decides the data key's), wiped if bytes.
 */
function checkDek(dek: unknown): Uint8Array {
  if (dek instanceof Uint8Array && dek.length === KEY_LENGTH) return dek;
  if (dek instanceof Uint8Array) dek.fill(0);
  throw new VaultError('DECRYPT_FAILED', `the keyring unwrapped a data key that is not ${KEY_LENGTH} bytes`);
}

/** Unwraps a data key through the keyring and checks it ({@link checkDek}). */
async function unwrapDek(
  keys: KeyEncryptionKeys,
  kid: string,
  wrapped: Uint8Array,
  context: Uint8Array,
): Promise<Uint8Array> {
  return checkDek(await keys.unwrap(kid, wrapped, context));
}

/**
 * Seals a record: a fresh data key and nonce, the secrets sealed under the data key, the
 * data key wrapped under the keyring's primary key.
 */
export async function sealRecord(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  record: RecordText,
): Promise<string> {
  const kid = keys.primaryKid;
  const dek = randomBytes(KEY_LENGTH);
  try {
    const plaintext = utf8Into(record.secret, plaintextScratch);
    let sealed: string; // encoded at once: the sealed bytes live in a scratch only until then
    try {
      const aad = dataContext(namespace, id, record.readable, contextScratch);
      sealed = toBase64url(sealBytes(dek, randomBytes(NONCE_LENGTH), plaintext, aad, sealedScratch));
    } finally {
      plaintext.fill(0);
    }
    const wrappedKey = await keys.wrap(kid, dek, wrapContext(kid, namespace, id));
    return joinEnvelope({ kid, wrappedKey: toBase64url(wrappedKey), sealed, readable: record.readable });
  } finally {
    dek.fill(0);
  }
}

/** An envelope opened: its parts (and their texts), its data key (the caller wipes it) and its secret text. */
interface Opened<Secret extends string | undefined> {
  readonly parts: EnvelopeParts;
  readonly texts: EnvelopeTexts;
  readonly dek: Uint8Array;
  readonly secret: Secret;
}

/**
 * Parse, kid check, unwrap and open: the one path every reader of an envelope takes. With
 * `decode` false the secrets are authenticated but never turned into text (on the WebAssembly path
 * never even decrypted; elsewhere decrypted and wiped), for a
 * rewrap that keeps them as they are. The data key is wiped here on failure and by the caller on success.
 */
async function openEnvelope(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  text: unknown,
): Promise<Opened<string>>;
async function openEnvelope(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  text: unknown,
  decode: false,
): Promise<Opened<undefined>>;
async function openEnvelope(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  text: unknown,
  decode = true,
): Promise<Opened<string | undefined>> {
  const texts = splitEnvelope(text);
  const parts = decodeParts(texts);
  if (!keys.has(parts.kid)) throw new VaultError('UNKNOWN_KEY', `the keyring holds no key "${parts.kid}"`);
  const dek = await unwrapDek(keys, parts.kid, parts.wrappedKey, wrapContext(parts.kid, namespace, id));
  try {
    const aad = dataContext(namespace, id, parts.readable, contextScratch);
    if (!decode) {
      if (!verifyFramed(dek, parts.sealed, aad))
        throw new VaultError('DECRYPT_FAILED', 'sealed part does not authenticate');
      return { parts, texts, dek, secret: undefined };
    }
    const plaintext = openBytes(dek, parts.sealed, aad);
    try {
      return { parts, texts, dek, secret: fromUtf8(plaintext) };
    } finally {
      plaintext.fill(0);
    }
  } catch (error) {
    dek.fill(0);
    throw error instanceof VaultError ? error : malformed('secrets are not UTF-8');
  }
}

/**
 * Opens an envelope stored under `namespace` / `id`.
 * @throws VaultError `UNKNOWN_KEY` for a kid the keyring lacks; `DECRYPT_FAILED` when the
 * envelope is malformed, moved, or altered in any byte.
 */
export async function openRecord(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  text: unknown,
): Promise<RecordText> {
  const { parts, dek, secret } = await openEnvelope(keys, namespace, id, text);
  dek.fill(0);
  return { readable: parts.readable, secret };
}

/** Turns the text of an opened record into the text to seal again (e.g. moving fields to the part their schema now puts them in). */
export type Reshape = (text: RecordText) => RecordText;

/**
 * Moves a stored envelope to the keyring's primary key. By default only the data key is
 * unwrapped and wrapped again (the sealed part is kept byte for byte, see {@link rewrapHead});
 * with `reencrypt` the record text, passed through `reshape` if given, is sealed anew under a
 * fresh data key. The old envelope must open, and the new one is opened and compared before it
 * is returned.
 * @throws VaultError `UNKNOWN_KEY`, `DECRYPT_FAILED` when the stored envelope does not open;
 * whatever `reshape` throws.
 */
export async function rewrapRecord(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  stored: string,
  reencrypt = false,
  reshape?: Reshape,
): Promise<string> {
  if (reencrypt) return resealRecord(keys, namespace, id, stored, reshape);
  const next = withHead(stored, await rewrapHead(keys, namespace, id, stored), keys.primaryKid);
  if (next === undefined) throw rewrappedHeadUnfit();
  return next;
}

/**
 * What {@link rewrapRecord} changes in a stored envelope by default: its new head
 * (`cv1.<kid>.<wrapped DEK>`, under the keyring's primary key), checked as the whole envelope
 * would be (the old one opens, the new wrap unwraps to the same data key). The rest of the
 * envelope stays as stored. A rotation writes only this, so the new envelope's full text is
 * never built (a 1.5 KB copy a record, where a caller then took its head).
 * @throws VaultError `UNKNOWN_KEY`, `DECRYPT_FAILED` when the stored envelope does not open.
 */
export async function rewrapHead(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  stored: string,
): Promise<string> {
  // What openEnvelope does, without its awaits where the keyring answers at once (a local one):
  // a rotation runs this per record, and each await is a turn of the microtask queue.
  const texts = splitEnvelope(stored);
  const { kid: from, wrappedKey: wrappedText } = texts;
  const wrapped = decodeWrappedKey(wrappedText);
  if (!keys.has(from)) throw new VaultError('UNKNOWN_KEY', `the keyring holds no key "${from}"`);
  const unwrapped = keys.unwrap(from, wrapped, wrapContext(from, namespace, id));
  const dek = checkDek(unwrapped instanceof Uint8Array ? unwrapped : await unwrapped);
  try {
    // The record must open before it is moved: the secrets authenticate under this data key (and
    // are never turned into text: a rewrap keeps them byte for byte).
    verifySealed(dek, namespace, id, texts);
    // The new envelope differs only in its wrapped key: it opens iff that unwraps to this data key.
    const kid = keys.primaryKid;
    const context = wrapContext(kid, namespace, id);
    const wrapping = keys.wrap(kid, dek, context);
    const wrappedKey = wrapping instanceof Uint8Array ? wrapping : await wrapping;
    const checking = keys.unwrap(kid, wrappedKey, context);
    const check = checkDek(checking instanceof Uint8Array ? checking : await checking);
    const same = sameBytes(check, dek);
    check.fill(0);
    if (!same) throw new VaultError('DECRYPT_FAILED', 'the rewrapped data key does not unwrap to the same key');
    // The sealed part's text as stored stays: strict base64url has one text per byte string, so
    // the full envelope is what formatEnvelope would write, without encoding the payload again.
    return joinHead(kid, toBase64url(wrappedKey));
  } finally {
    dek.fill(0);
  }
}

/**
 * The error for a new head that does not fit its envelope (see {@link withHead}): the keyring
 * wrapped to nothing, or its primary kid changed between the rewrap and this read of it.
 */
export function rewrappedHeadUnfit(): VaultError {
  return new VaultError('DECRYPT_FAILED', 'the rewrapped head is not one under the primary kid');
}

/**
 * A wrapped key's bytes, as {@link decodeParts} reads them.
 * @throws VaultError `DECRYPT_FAILED` for bad base64url or an empty wrapped key.
 */
function decodeWrappedKey(text: string): Uint8Array {
  let wrapped: Uint8Array;
  try {
    wrapped = fromBase64url(text);
  } catch {
    throw malformed('bad base64url');
  }
  if (wrapped.length === 0) throw malformed('empty wrapped key');
  return wrapped;
}

/**
 * Checks that an envelope's sealed part authenticates under `dek` with its data context, as
 * {@link openEnvelope} does without decoding: decoded into a buffer reused by the next call
 * (ciphertext, no secret) and checked at once, with nothing awaited between.
 * @throws VaultError `DECRYPT_FAILED` for bad base64url or when it does not authenticate.
 */
function verifySealed(dek: Uint8Array, namespace: string, id: string, texts: EnvelopeTexts): void {
  let sealed: Uint8Array;
  try {
    sealed = fromBase64urlTransient(texts.sealed);
  } catch {
    throw malformed('bad base64url');
  }
  if (!verifyFramed(dek, sealed, dataContext(namespace, id, texts.readable, contextScratch)))
    throw new VaultError('DECRYPT_FAILED', 'sealed part does not authenticate');
}

/** Whether two byte strings are equal: lengths first, then every byte (no early exit). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** `rewrapRecord` with `reencrypt`: the record text (reshaped) sealed anew, opened and compared. */
async function resealRecord(
  keys: KeyEncryptionKeys,
  namespace: string,
  id: string,
  stored: string,
  reshape: Reshape | undefined,
): Promise<string> {
  const text = await openRecord(keys, namespace, id, stored);
  const want = reshape === undefined ? text : reshape(text);
  const next = await sealRecord(keys, namespace, id, want);
  const check = await openRecord(keys, namespace, id, next);
  if (check.secret !== want.secret || check.readable !== want.readable)
    throw new VaultError('DECRYPT_FAILED', 'the re-sealed envelope does not open to the same record');
  return next;
}
