import { fromBase64url, KEY_LENGTH, NONCE_LENGTH, randomBytes, sealFramed, toBase64url } from '../crypto/index.js';
import { VaultError } from '../errors/index.js';
import { canonicalJson } from '../format/index.js';
import { type KeyEncryptionKeys, unwrapLocal } from '../keys/index.js';

/** Id prefix, inside a namespace, of the records that hold tenant keys: `~tenant:<tenant>`. */
export const TENANT_RECORD_PREFIX = '~tenant:';

/**
 * Whether `kid` names a tenant key. Tenant kids are `~` followed by 22 base64url characters
 * (16 random bytes); a master kid never contains `~`, so the two can never be confused.
 * `false` for anything that is not a string; never throws.
 */
export function isTenantKid(kid: string): boolean {
  return typeof kid === 'string' && kid.length === 23 && kid.startsWith('~');
}

/**
 * Who holds a tenant's key record: `'master'` for the vault's keyring, or the tenant's own keys
 * (bring-your-own-key). Anything else is `KEY_UNAVAILABLE`: a lookup that fails never falls
 * back to the master keys.
 */
export type TenantCustody = (tenant: string) => KeyEncryptionKeys | 'master';

/** Reads a keyring's private key map; set by the class below. */
let liveKeysOf: (keyring: TenantKeyring) => Uint8Array[];

/**
 * The key arrays a keyring holds now (the live ones, not copies), for tests that check a wipe
 * zeroed them. Internal: not exported from the package. Secret.
 */
export function keyBytes(keyring: TenantKeyring): Uint8Array[] {
  return liveKeysOf(keyring);
}

/**
 * One tenant's data-key wrapping keys, as a {@link KeyEncryptionKeys}: the same
 * XChaCha20-Poly1305 wrap as the local keyring (`nonce(24) || ct(32) || tag(16)`), with the
 * tenant's kids. The keys live only in this object's private map; {@link wipe} zeroes them.
 * It notes when it was last used (made, handed out, wrapped or unwrapped with), so that the
 * tenant cache wipes a keyring it dropped only once no operation is using it.
 */
export class TenantKeyring implements KeyEncryptionKeys {
  readonly tenant: string;
  readonly primaryKid: string;
  readonly kids: readonly string[];
  /** When the current primary key was added, in ms since the epoch (while older keys are still held). */
  readonly since: number;
  readonly #keys: Map<string, Uint8Array>;
  #usedAt = Date.now();

  static {
    liveKeysOf = (keyring) => [...keyring.#keys.values()];
  }

  constructor(tenant: string, primaryKid: string, keys: Map<string, Uint8Array>, since = 0) {
    this.tenant = tenant;
    this.primaryKid = primaryKid;
    this.since = since;
    this.#keys = keys;
    this.kids = Object.freeze([primaryKid, ...[...keys.keys()].filter((kid) => kid !== primaryKid)]);
  }

  has(kid: string): boolean {
    return this.#keys.has(kid);
  }

  wrap(kid: string, dek: Uint8Array, context: Uint8Array): Uint8Array {
    return sealFramed(this.#key(kid), randomBytes(NONCE_LENGTH), dek, context);
  }

  unwrap(kid: string, wrapped: Uint8Array, context: Uint8Array): Uint8Array {
    return unwrapLocal(this.#key(kid), kid, wrapped, context);
  }

  /** When the keyring was last made, handed out, or wrapped or unwrapped with, in ms since the epoch. */
  get usedAt(): number {
    return this.#usedAt;
  }

  /** Notes a use now (the tenant cache calls it when it hands the keyring to an operation). */
  touch(): void {
    this.#usedAt = Date.now();
  }

  /** Whether {@link wipe} has run: no key left. */
  get wiped(): boolean {
    return this.#keys.size === 0;
  }

  /** The stored form: canonical JSON `{"keys":{kid:base64url},"primary":kid,"since":ms}`. Secret. */
  toSecretJson(): string {
    const keys: Record<string, string> = {};
    for (const [kid, key] of this.#keys) keys[kid] = toBase64url(key);
    return canonicalJson({ keys, primary: this.primaryKid, since: this.since });
  }

  /** A copy with a fresh random key as primary (the others stay, for unwrapping). */
  withNewPrimary(): TenantKeyring {
    const kid = `~${toBase64url(randomBytes(16))}`;
    const keys = new Map<string, Uint8Array>([...this.#keys].map(([k, v]) => [k, Uint8Array.from(v)]));
    keys.set(kid, randomBytes(KEY_LENGTH));
    return new TenantKeyring(this.tenant, kid, keys, Date.now());
  }

  /** A copy holding only the primary key. */
  withoutOldKeys(): TenantKeyring {
    return new TenantKeyring(
      this.tenant,
      this.primaryKid,
      new Map([[this.primaryKid, Uint8Array.from(this.#key(this.primaryKid))]]),
      this.since,
    );
  }

  /** Zeroes the key bytes; the keyring cannot be used afterwards. */
  wipe(): void {
    for (const key of this.#keys.values()) key.fill(0);
    this.#keys.clear();
  }

  #key(kid: string): Uint8Array {
    const key = this.#keys.get(kid);
    if (key === undefined) throw new VaultError('UNKNOWN_KEY', `tenant "${this.tenant}" holds no key "${kid}"`);
    this.#usedAt = Date.now();
    return key;
  }

  /** Never shows key bytes. */
  toJSON(): { tenant: string; primaryKid: string; kids: readonly string[] } {
    return { tenant: this.tenant, primaryKid: this.primaryKid, kids: this.kids };
  }

  /** A new keyring with one fresh random key. */
  static create(tenant: string): TenantKeyring {
    return new TenantKeyring(tenant, '', new Map()).withNewPrimary();
  }

  /**
   * Reads a tenant key record's opened text (FORMAT.md, "Tenant keys"): the readable part is
   * exactly `{}`, and the secret part is exactly what {@link toSecretJson} writes for the keys
   * it names: canonical JSON of `keys` (one or more, each a tenant kid `~` + 22 base64url
   * characters to a canonical base64url 32-byte key), `primary` (one of them) and `since` (a whole
   * number from 0 to 2^53 - 1), and no other member.
   * @param readable - the record's readable text; default `{}` (for callers that checked it)
   * @throws VaultError `DECRYPT_FAILED` when malformed (the message names no key).
   */
  static parse(tenant: string, secret: string, readable = '{}'): TenantKeyring {
    const keyring = readSecret(tenant, secret);
    if (keyring !== undefined && readable === '{}' && keyring.toSecretJson() === secret) return keyring;
    keyring?.wipe();
    throw new VaultError('DECRYPT_FAILED', `the key record of tenant "${tenant}" is malformed`);
  }
}

const TENANT_KID = /^~[A-Za-z0-9_-]{22}$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The keyring a key record's secret text names, if its members have the right types; not yet checked for canonical form. */
function readSecret(tenant: string, secret: string): TenantKeyring | undefined {
  let value: unknown;
  try {
    value = JSON.parse(secret);
  } catch {
    return undefined;
  }
  if (!isObject(value) || !isObject(value.keys) || typeof value.primary !== 'string') return undefined;
  const { keys, primary, since } = value;
  if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0) return undefined;
  const map = new Map<string, Uint8Array>();
  const wiped = () => {
    for (const key of map.values()) key.fill(0);
    return undefined;
  };
  for (const [kid, text] of Object.entries(keys)) {
    if (!TENANT_KID.test(kid) || typeof text !== 'string') return wiped();
    let key: Uint8Array;
    try {
      key = fromBase64url(text);
    } catch {
      return wiped();
    }
    map.set(kid, key);
    if (key.length !== KEY_LENGTH) return wiped();
  }
  if (!map.has(primary)) return wiped();
  return new TenantKeyring(tenant, primary, map, since);
}

Object.defineProperty(TenantKeyring.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: TenantKeyring): string {
    return `TenantKeyring ${JSON.stringify(this.toJSON())}`;
  },
});
