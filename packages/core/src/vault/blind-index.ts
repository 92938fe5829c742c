import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url, KEY_LENGTH, randomBytes, toBase64url, utf8 } from '../crypto/index.js';
import { storeCall, VaultError } from '../errors/index.js';
import { canonicalJson, openRecord, parseObject, sealRecord } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { VaultStore } from '../store/index.js';
import { INDEX_KEY_ID, indexEntryKey, recordKey } from '../store/index.js';

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
    return key === undefined ? undefined : indexEntryKey(this.#namespace, field, indexMac(key, field, value));
  }

  /**
   * The indexed `[field, value]` pairs of a record: non-empty string values of indexed fields
   * (`findBy` never looks up an empty string, so an entry for one could never be found).
   */
  valuesOf(record: object | undefined): Map<string, string> {
    const out = new Map<string, string>();
    for (const field of this.fields) {
      const value = (record as Record<string, unknown> | undefined)?.[field];
      if (typeof value === 'string' && value !== '') out.set(field, value);
    }
    return out;
  }

  /**
   * Runs `put` (a write of record `id` from `before` to `after`) keeping the index right:
   * entries for new values first, stale ones after a successful `put`. If `put` does not
   * happen, the new entries dangle, which is harmless: lookups verify what they find.
   * @throws VaultError `STORE_FAILED`, and whatever `put` throws.
   */
  async write(
    id: string,
    before: object | undefined,
    after: object | undefined,
    put: () => Promise<boolean>,
  ): Promise<boolean> {
    const [old, next] = [this.valuesOf(before), this.valuesOf(after)];
    for (const [field, value] of next) {
      if (old.get(field) === value) continue;
      const entry = (await this.entryKey(field, value, true)) as string;
      await storeCall('index set', () => this.#store.set(entry, id), id);
    }
    if (!(await put())) return false;
    for (const [field, value] of old) {
      if (next.get(field) === value) continue;
      const entry = await this.entryKey(field, value, false);
      if (entry !== undefined) await storeCall('index delete', () => this.#remove(entry, id), id);
    }
    return true;
  }

  /** The record id an entry points at, unverified (the caller opens the record and compares). */
  async lookup(field: string, value: string): Promise<string | undefined> {
    const entry = await this.entryKey(field, value, false);
    return entry === undefined ? undefined : storeCall('index get', () => this.#store.get(entry));
  }

  async #remove(entry: string, id: string): Promise<void> {
    const store = this.#store;
    if (store.compareAndSet !== undefined) await store.compareAndSet(entry, id, undefined);
    else if ((await store.get(entry)) === id) await store.delete(entry);
  }

  #indexKey(create: boolean): Promise<Uint8Array | undefined> {
    this.#key ??= this.#load(create).then((key) => {
      if (key === undefined) this.#key = undefined; // look again next time
      return key;
    });
    return this.#key;
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
      const cas = this.#store.compareAndSet?.bind(this.#store);
      if (cas === undefined) await this.#store.set(at, envelope);
      else if (!(await cas(at, undefined, envelope))) continue; // another instance made it first: use theirs
    }
    if (!create) return undefined;
    throw new VaultError('CONFLICT', 'could not create the index key');
  }
}
