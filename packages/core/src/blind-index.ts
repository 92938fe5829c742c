import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url, randomBytes, toBase64url, utf8 } from './bytes.js';
import { canonicalJson } from './canonical-json.js';
import { openRecord, sealRecord } from './envelope.js';
import { VaultError } from './errors.js';
import type { KeyEncryptionKeys } from './keyring.js';
import type { VaultStore } from './store.js';

/** Id, inside the namespace, of the envelope that holds the namespace's index key. */
export const INDEX_KEY_ID = '~index-key';

/**
 * A blind index: `~ix:<namespace>:<field>:<HMAC-SHA256(indexKey, field 0x00 value)>` → record id.
 * The index key is random, made once per namespace and stored as an envelope under the
 * keyring (`<namespace>:~index-key`), so key rotation rewraps it like any record and the
 * index never needs rebuilding. Neither the value nor the key is ever stored in clear.
 */
export class BlindIndex {
  readonly fields: readonly string[];
  readonly #store: VaultStore;
  readonly #keyring: KeyEncryptionKeys;
  readonly #namespace: string;
  #key: Promise<Uint8Array | undefined> | undefined;

  constructor(store: VaultStore, keyring: KeyEncryptionKeys, namespace: string, fields: readonly string[]) {
    this.fields = fields;
    this.#store = store;
    this.#keyring = keyring;
    this.#namespace = namespace;
  }

  /** The store key of the index entry for `value` of `field`; `undefined` when no index key exists yet and `create` is false. */
  async entryKey(field: string, value: string, create: boolean): Promise<string | undefined> {
    const key = await this.#indexKey(create);
    if (key === undefined) return undefined;
    const mac = hmac(sha256, key, utf8(`${field}\u0000${value}`));
    return `~ix:${this.#namespace}:${field}:${toBase64url(mac)}`;
  }

  /** The indexed `[field, value]` pairs of a record (string values of indexed fields). */
  valuesOf(record: object | undefined): Map<string, string> {
    const out = new Map<string, string>();
    for (const field of this.fields) {
      const value = (record as Record<string, unknown> | undefined)?.[field];
      if (typeof value === 'string') out.set(field, value);
    }
    return out;
  }

  #indexKey(create: boolean): Promise<Uint8Array | undefined> {
    this.#key ??= this.#load(create).then((key) => {
      if (key === undefined) this.#key = undefined; // look again next time
      return key;
    });
    return this.#key;
  }

  async #load(create: boolean): Promise<Uint8Array | undefined> {
    const at = `${this.#namespace}:${INDEX_KEY_ID}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.#store.get(at);
      if (stored !== undefined) {
        const { secret } = await openRecord(this.#keyring, this.#namespace, INDEX_KEY_ID, stored);
        return fromBase64url((JSON.parse(secret) as { key: string }).key);
      }
      if (!create) return undefined;
      const envelope = await sealRecord(this.#keyring, this.#namespace, INDEX_KEY_ID, {
        readable: '{}',
        secret: canonicalJson({ key: toBase64url(randomBytes(32)) }),
      });
      const cas = this.#store.compareAndSet?.bind(this.#store);
      if (cas === undefined) await this.#store.set(at, envelope);
      else if (!(await cas(at, undefined, envelope))) continue; // another instance made it first: use theirs
    }
    if (!create) return undefined;
    throw new VaultError('CONFLICT', 'could not create the index key');
  }
}
