import {
  fromBase64url,
  KEY_LENGTH,
  NONCE_LENGTH,
  openFramed,
  randomBytes,
  sealFramed,
  TAG_LENGTH,
  toBase64url,
} from '../crypto/index.js';
import { checkArray, invalidArgument, isRecordLike, VaultError } from '../errors/index.js';
import { keyListEntries } from './key-list-text.js';

/** A value or a promise of it: local keyrings answer at once, a KMS asynchronously. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The key-encryption side of the envelope: wraps and unwraps data keys by key id. The local
 * {@link Keyring} implements it; a KMS-backed implementation can hold the master keys
 * outside the process instead.
 *
 * `context` is associated data the wrapped key is bound to (format, kid, namespace, record id):
 * an implementation must authenticate it, so that a wrapped key moved elsewhere fails to unwrap.
 */
export interface KeyEncryptionKeys {
  /** Key id new writes are wrapped under. */
  readonly primaryKid: string;
  /** Every key id this keyring can unwrap, primary first. */
  readonly kids: readonly string[];
  /** Whether this keyring holds `kid`. */
  has(kid: string): boolean;
  /**
   * Wraps a 32-byte data key under `kid`.
   * @throws VaultError `UNKNOWN_KEY` when `kid` is not held.
   */
  wrap(kid: string, dek: Uint8Array, context: Uint8Array): Awaitable<Uint8Array>;
  /**
   * Unwraps a data key wrapped under `kid`.
   * @throws VaultError `UNKNOWN_KEY` when `kid` is not held, `DECRYPT_FAILED` when it does not authenticate.
   */
  unwrap(kid: string, wrapped: Uint8Array, context: Uint8Array): Awaitable<Uint8Array>;
  /**
   * Releases what the keyring holds (HSM sessions, cached data keys); optional. After it, the
   * keyring may refuse to work.
   */
  close?(): Awaitable<void>;
}

/** One key-encryption key: its id and its 32 secret bytes. */
export interface KeyEntry {
  readonly kid: string;
  readonly key: Uint8Array;
}

export { KEY_LENGTH, NONCE_LENGTH } from '../crypto/index.js';

/** A kid: `[A-Za-z0-9_-]{1,64}`. */
export const KID: RegExp = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The entries of a key list by kid, each kid checked (`[A-Za-z0-9_-]{1,64}`, no duplicate) and
 * `check` run on each entry. Internal: the local keyring and `remoteKeys` share it.
 * @throws VaultError `INVALID_ARGUMENT` (path `entries`) when `entries` is not an array;
 * `INVALID_KEYRING` for no entry, an entry that is not an object, a bad or duplicate kid, or
 * what `check` throws.
 */
export function entriesByKid<E extends { readonly kid: string }, V>(
  entries: readonly E[],
  value: (entry: E, index: number) => V,
): Map<string, V> {
  checkArray(entries, 'entries');
  if (entries.length === 0) throw new VaultError('INVALID_KEYRING', 'the keyring holds no key');
  const byKid = new Map<string, V>();
  entries.forEach((entry, index) => {
    checkEntry(entry, index, 'entries');
    const { kid } = entry;
    if (typeof kid !== 'string' || !KID.test(kid)) {
      throw new VaultError('INVALID_KEYRING', `key #${index + 1}: kid must match ${KID.source}`);
    }
    if (byKid.has(kid)) throw new VaultError('INVALID_KEYRING', `key #${index + 1}: duplicate kid "${kid}"`);
    byKid.set(kid, value(entry, index));
  });
  return byKid;
}

/**
 * Checks that entry `index` of a key list is an object (its members are checked by the caller).
 * Internal: the keyrings share it.
 * @throws VaultError `INVALID_KEYRING` with path `<path>.<index>` otherwise.
 */
export function checkEntry(entry: unknown, index: number, path: string): void {
  if (!isRecordLike(entry)) throw invalidArgument(`${path}.${index}`, 'an object with a kid', 'INVALID_KEYRING');
}

/**
 * Checks that `value` has the members of a {@link KeyEncryptionKeys} (not that they work).
 * @throws VaultError `INVALID_ARGUMENT` naming `path` otherwise.
 */
export function checkKeyEncryptionKeys(value: unknown, path: string): asserts value is KeyEncryptionKeys {
  const keys = value as Partial<Record<keyof KeyEncryptionKeys, unknown>> | null;
  if (
    !isRecordLike(keys) ||
    typeof keys.primaryKid !== 'string' ||
    !Array.isArray(keys.kids) ||
    typeof keys.has !== 'function' ||
    typeof keys.wrap !== 'function' ||
    typeof keys.unwrap !== 'function' ||
    (keys.close !== undefined && typeof keys.close !== 'function')
  ) {
    throw invalidArgument(path, 'a keyring (primaryKid, kids, has, wrap, unwrap)');
  }
}

/**
 * Unwraps what {@link wrapKey} made under `kek` (72 bytes: nonce, wrapped key, tag). Internal:
 * the local keyring and tenant keyrings share it.
 * @throws VaultError `DECRYPT_FAILED` for another length or when it does not authenticate.
 */
export function unwrapLocal(kek: Uint8Array, kid: string, wrapped: Uint8Array, context: Uint8Array): Uint8Array {
  if (wrapped.length !== NONCE_LENGTH + KEY_LENGTH + TAG_LENGTH) {
    throw new VaultError('DECRYPT_FAILED', 'wrapped data key has the wrong length');
  }
  const dek = openFramed(kek, wrapped, context);
  if (dek === undefined) throw new VaultError('DECRYPT_FAILED', `data key does not authenticate under "${kid}"`);
  return dek;
}

/**
 * Wraps `dek` under `kek` with XChaCha20-Poly1305: `nonce || ciphertext || tag`.
 * Exposed for test vectors; applications use a {@link KeyEncryptionKeys}.
 */
export const wrapKey: (kek: Uint8Array, nonce: Uint8Array, dek: Uint8Array, aad: Uint8Array) => Uint8Array = sealFramed;

/** The local keyring: master keys held in this process's memory. */
export class Keyring implements KeyEncryptionKeys {
  readonly primaryKid: string;
  readonly kids: readonly string[];
  readonly #keys: ReadonlyMap<string, Uint8Array>;

  /**
   * @param entries - the keys, primary first; the others can only unwrap
   * @throws VaultError `INVALID_KEYRING` for an empty list, an entry that is not an object, a bad
   * or duplicate kid, or a key that is not 32 bytes; `INVALID_ARGUMENT` when `entries` is not an array.
   */
  constructor(entries: readonly KeyEntry[]) {
    const keys = entriesByKid(entries, ({ kid, key }) => {
      if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
        throw new VaultError('INVALID_KEYRING', `key "${kid}": must be ${KEY_LENGTH} bytes`);
      }
      return Uint8Array.from(key);
    });
    this.#keys = keys;
    this.kids = Object.freeze([...keys.keys()]);
    this.primaryKid = this.kids[0] as string;
  }

  has(kid: string): boolean {
    return this.#keys.has(kid);
  }

  wrap(kid: string, dek: Uint8Array, context: Uint8Array): Uint8Array {
    return wrapKey(this.#key(kid), randomBytes(NONCE_LENGTH), dek, context);
  }

  unwrap(kid: string, wrapped: Uint8Array, context: Uint8Array): Uint8Array {
    return unwrapLocal(this.#key(kid), kid, wrapped, context);
  }

  #key(kid: string): Uint8Array {
    const key = this.#keys.get(kid);
    if (key === undefined) throw new VaultError('UNKNOWN_KEY', `the keyring holds no key "${kid}"`);
    return key;
  }

  /** Never shows key bytes. */
  toJSON(): { primaryKid: string; kids: readonly string[] } {
    return { primaryKid: this.primaryKid, kids: this.kids };
  }
}

// util.inspect shows kids only; the key bytes live in a private field it cannot reach anyway.
Object.defineProperty(Keyring.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Keyring): string {
    return `Keyring ${JSON.stringify(this.toJSON())}`;
  },
});

/**
 * Creates a local keyring from explicit keys, primary first.
 * @throws VaultError `INVALID_KEYRING`, `INVALID_ARGUMENT` (see {@link Keyring}).
 */
export function createKeyring(entries: readonly KeyEntry[]): Keyring {
  return new Keyring(entries);
}

/**
 * Parses a key list of local entries `kid:<base64url 32 bytes>,kid:<...>`, primary first, by
 * FORMAT.md's grammar: entries separated by `,`, LF or CR LF, SP and HTAB around them ignored.
 * `wrapped:` and `remote:` entries and `#` comments are {@link parseKeySpecs}'s.
 * @throws VaultError `INVALID_ARGUMENT` (path `text`) when `text` is not a string;
 * `INVALID_KEYRING` naming the entry at fault, never its key.
 */
export function parseKeyList(text: string): Keyring {
  if (typeof text !== 'string') throw invalidArgument('text', 'a string');
  const entries = keyListEntries(text, false).map((entry, index): KeyEntry => {
    const colon = entry.indexOf(':');
    const kid = colon === -1 ? '' : entry.slice(0, colon);
    if (colon === -1) throw new VaultError('INVALID_KEYRING', `key #${index + 1}: expected "kid:base64url-key"`);
    try {
      return { kid, key: fromBase64url(entry.slice(colon + 1)) };
    } catch {
      throw new VaultError('INVALID_KEYRING', `key "${kid}": not unpadded base64url`);
    }
  });
  return new Keyring(entries);
}

/** Environment variables by name, as `process.env` holds them (or `Deno.env.toObject()`). */
export type EnvVariables = Readonly<Record<string, string | undefined>>;

/** `process.env` where there is one (Node, Bun, Deno's Node compatibility), else nothing. */
function defaultEnv(): EnvVariables {
  const holder = globalThis as { process?: { env?: EnvVariables } };
  return holder.process?.env ?? {};
}

/**
 * Reads the keyring from an environment variable (default `CREDVAULT_KEYS`).
 * @param variable - the variable's name
 * @param env - where to read it; default `globalThis.process.env` (pass your own in browsers and workers)
 * @throws VaultError `INVALID_KEYRING` when the variable is unset, empty or malformed;
 * `INVALID_ARGUMENT` for a `variable` that is not a string, an `env` that is not an object, or
 * a value that is not a string.
 */
export function keyringFromEnv(variable = 'CREDVAULT_KEYS', env: EnvVariables = defaultEnv()): Keyring {
  if (typeof variable !== 'string') throw invalidArgument('variable', 'the name of an environment variable');
  if (typeof env !== 'object' || env === null) throw invalidArgument('env', 'an object of environment variables');
  const value: unknown = env[variable];
  if (value !== undefined && typeof value !== 'string') throw invalidArgument(`env.${variable}`, 'a string');
  if (value === undefined || value.trim() === '') {
    throw new VaultError('INVALID_KEYRING', `environment variable ${variable} is not set`);
  }
  return parseKeyList(value);
}

/** A fresh random 32-byte key from the platform CSPRNG. */
export function generateKey(): Uint8Array {
  return randomBytes(KEY_LENGTH);
}

/** Formats a key as a `kid:base64url` entry for `CREDVAULT_KEYS`. The result is secret. */
export function formatKeyEntry(kid: string, key: Uint8Array): string {
  new Keyring([{ kid, key }]); // validates
  return `${kid}:${toBase64url(key)}`;
}
