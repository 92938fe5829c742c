import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url, KEY_LENGTH, randomBytes, toBase64url, utf8 } from '../crypto/index.js';
import { storeCall, VaultError } from '../errors/index.js';
import { canonicalJson, openRecord, parseObject, sealRecord } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { VaultStore } from '../store/index.js';
import { INDEX_KEY_ID, indexEntryKey, isWellFormed, recordKey } from '../store/index.js';

export { INDEX_KEY_ID } from '../store/index.js';

/** The text of the `~index-key` record holding `key` (FORMAT.md, "The index-key record"). */
export function indexKeyText(key: Uint8Array): { readable: string; secret: string } {
  return { readable: '{}', secret: canonicalJson({ key: toBase64url(key) }) };
}

/** The base64url HMAC-SHA256 of an indexed value: `HMAC(indexKey, utf8(field ‖ 0x00 ‖ value))`. */
export function indexMac(indexKey: Uint8Array, field: string, value: string): string {
  return toBase64url(hmac(sha256, indexKey, utf8(`${field}\u0000${value}`)));
}

function readIndexKey(text: { readable: string; secret: string }): Uint8Array {
  const bad = () => new VaultError('DECRYPT_FAILED', 'the index-key record is malformed', { id: INDEX_KEY_ID });
  const secret = parseObject(text.secret, 'secret', INDEX_KEY_ID);
  if (text.readable !== '{}' || typeof secret.key !== 'string' || Object.keys(secret).length !== 1) throw bad();
  let key: Uint8Array;
  try {
    key = fromBase64url(secret.key);
  } catch {
    throw bad();
  }
  if (key.length !== KEY_LENGTH || canonicalJson(secret) !== text.secret) throw bad();
  return key;
}

/**
 * Opens a namespace's `~index-key` record and returns its index key (the caller wipes it).
 * @throws VaultError `UNKNOWN_KEY`, `DECRYPT_FAILED` when it does not open or is not exactly
 * `{}` / `{"key":"<base64url of 32 bytes>"}`.
 */
export async function openIndexKey(keyring: KeyEncryptionKeys, namespace: string, stored: string): Promise<Uint8Array> {
  return readIndexKey(await openRecord(keyring, namespace, INDEX_KEY_ID, stored));
}

/**
 * A blind index: `~ix:<namespace>:<field>:<base64url HMAC>` → record id.
 * The index key is random, made once per namespace and stored as an envelope under the
 * keyring (`<namespace>:~index-key`), so key rotation rewraps it like any record and the
 * index never needs rebuilding. Neither the value nor the key is ever stored in clear.
 */
export class BlindIndex {
  readonly fields: readonly string[];
  readonly #store: VaultStore;
  readonly #cas: NonNullable<VaultStore['compareAndSet']>;
  readonly #keyring: KeyEncryptionKeys;
  readonly #namespace: string;
  /** The index key, once loaded: only a resolved key is kept. */
  #key: Uint8Array | undefined;
  /** The load in flight, and whether it creates the key when there is none. */
  #flight: { readonly create: boolean; readonly key: Promise<Uint8Array | undefined> } | undefined;

  /**
   * @throws VaultError `UNSUPPORTED` for a store without compare-and-set: the index key is made by
   * insert-if-absent, else two instances could each make one and overwrite each other's.
   */
  constructor(store: VaultStore, keyring: KeyEncryptionKeys, namespace: string, fields: readonly string[]) {
    const cas = store.compareAndSet;
    if (cas === undefined) {
      throw new VaultError(
        'UNSUPPORTED',
        `a blind index needs a store with compare-and-set; the ${store.name} store has none`,
        { path: 'index' },
      );
    }
    this.fields = fields;
    this.#store = store;
    this.#cas = cas.bind(store);
    this.#keyring = keyring;
    this.#namespace = namespace;
  }

  /** The store key of the index entry for `value` of `field`; `undefined` when no index key exists yet and `create` is false. */
  async entryKey(field: string, value: string, create: boolean): Promise<string | undefined> {
    const mac = await this.token(field, value, create);
    return mac === undefined ? undefined : indexEntryKey(this.#namespace, field, mac);
  }

  /**
   * The base64url HMAC of `value` of `field` under the index key (FORMAT.md, "Blind-index
   * entries"): what an entry's key ends with, and what a table keeps in an index column of its
   * own. `undefined` when no index key exists yet and `create` is false.
   */
  async token(field: string, value: string, create: boolean): Promise<string | undefined> {
    const key = await this.#indexKey(create);
    if (key === undefined && create) throw new VaultError('CONFLICT', 'could not create the index key');
    return key === undefined ? undefined : indexMac(key, field, value);
  }

  /**
   * The indexed `[field, value]` pairs of a record: string values of indexed fields that are
   * non-empty and well-formed UTF-16 (FORMAT.md: neither the empty string nor a value with a lone
   * surrogate, which has no UTF-8 form, gets an entry; a lookup of one finds nothing).
   */
  valuesOf(record: object | undefined): Map<string, string> {
    const out = new Map<string, string>();
    for (const field of this.fields) {
      const value = (record as Record<string, unknown> | undefined)?.[field];
      if (indexable(value)) out.set(field, value);
    }
    return out;
  }

  /**
   * Runs `put` (a write of record `id` from `before` to `after`) keeping the index right:
   * entries for the new values first (all of them, so a rewrite repairs a missing entry), stale
   * ones after a successful `put`. If `put` does not happen, the new entries dangle, which is
   * harmless: lookups verify what they find.
   * @throws VaultError `STORE_FAILED`, `CONFLICT` when the index key cannot be made, and whatever `put` throws.
   */
  async write(
    id: string,
    before: object | undefined,
    after: object | undefined,
    put: () => Promise<boolean>,
  ): Promise<boolean> {
    const [old, next] = [this.valuesOf(before), this.valuesOf(after)];
    for (const [field, value] of next) {
      const entry = (await this.entryKey(field, value, true)) as string;
      await storeCall('index set', () => this.#store.set(entry, id), id);
    }
    if (!(await put())) return false;
    for (const [field, value] of old) {
      if (next.get(field) === value) continue;
      const entry = await this.entryKey(field, value, false);
      if (entry !== undefined) await storeCall('index delete', () => this.#cas(entry, id, undefined), id);
    }
    return true;
  }

  /** The record id an entry points at, unverified (the caller opens the record and compares); none for a value that is never indexed. */
  async lookup(field: string, value: string): Promise<string | undefined> {
    if (!indexable(value)) return undefined;
    const entry = await this.entryKey(field, value, false);
    return entry === undefined ? undefined : storeCall('index get', () => this.#store.get(entry));
  }

  /**
   * The index key: the one kept, else a load. A load that fails or finds none is not kept
   * (the next call loads again), and a caller that creates never settles for a load that does not.
   */
  async #indexKey(create: boolean): Promise<Uint8Array | undefined> {
    if (this.#key !== undefined) return this.#key;
    let flight = this.#flight;
    if (flight === undefined || (create && !flight.create)) {
      const started = { create, key: storeCall('index key', () => this.#load(create)) };
      this.#flight = flight = started;
      const done = (): void => {
        if (this.#flight === started) this.#flight = undefined;
      };
      started.key.then((key) => {
        if (key !== undefined) this.#key ??= key;
        done();
      }, done);
    }
    const key = await flight.key;
    return key === undefined && create && !flight.create ? this.#indexKey(true) : key;
  }

  async #load(create: boolean): Promise<Uint8Array | undefined> {
    const at = recordKey(this.#namespace, INDEX_KEY_ID);
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.#store.get(at);
      if (stored !== undefined) return openIndexKey(this.#keyring, this.#namespace, stored);
      if (!create) return undefined;
      const envelope = await sealRecord(
        this.#keyring,
        this.#namespace,
        INDEX_KEY_ID,
        indexKeyText(randomBytes(KEY_LENGTH)),
      );
      if (await this.#cas(at, undefined, envelope)) continue; // read back what now stands there
      // else another instance made it first: use theirs
    }
    throw new VaultError('CONFLICT', 'could not create the index key');
  }
}

/** Whether a value gets a blind-index entry: a non-empty, well-formed string. */
export function indexable(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && isWellFormed(value);
}
