import { decodeRecord, encodeRecord } from './codec.js';
import { openRecord, parseEnvelope, sealRecord } from './envelope.js';
import { forRecord, storeCall, VaultError } from './errors.js';
import type { KeyEncryptionKeys } from './keyring.js';
import { keyvStore } from './keyv-store.js';
import { type KeyStatus, keyStatus, type VerifyReport, verifyStore } from './maintenance.js';
import { type RotateOptions, type RotateReport, rotateStore } from './rotate.js';
import type { AnyCredentialSchema, InputOf, OutputOf, ReadableOf } from './schema.js';
import type { VaultStore } from './store.js';
import { compileWhere } from './where.js';

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_ID_LENGTH = 512;

/** Options of {@link createVault}. */
export interface VaultOptions<S extends AnyCredentialSchema> {
  /** Where sealed records live. Default: an in-memory Keyv (lost on exit). */
  readonly store?: VaultStore;
  /** The key-encryption keys; new writes use the primary. */
  readonly keyring: KeyEncryptionKeys;
  /** The record shape, e.g. `connectionSchema`. */
  readonly schema: S;
  /** Keeps vaults sharing a store apart, and is bound into every envelope. Default `default`. */
  readonly namespace?: string;
}

/** A filter on readable fields: every given field must equal the record's. */
export type Where<S extends AnyCredentialSchema> = { readonly [K in keyof ReadableOf<S>]?: ReadableOf<S>[K] };

/** Options of {@link Vault.entries}. */
export interface EntriesOptions<S extends AnyCredentialSchema> {
  /** Only records whose readable fields equal these. Secret fields cannot be filtered on. */
  readonly where?: Where<S>;
}

/** Options of {@link Vault.update}. */
export interface UpdateOptions {
  /** How many times to re-read and retry after losing a compare-and-set race. Default 100. */
  readonly maxAttempts?: number;
}

/** Computes the next record from the current one (`undefined`: none stored); `undefined` leaves it as it is. */
export type Updater<S extends AnyCredentialSchema> = (
  current: OutputOf<S> | undefined,
) => InputOf<S> | undefined | Promise<InputOf<S> | undefined>;

/** A vault of records of one shape in one namespace. */
export interface Vault<S extends AnyCredentialSchema> {
  /** The namespace this vault reads and writes. */
  readonly namespace: string;
  /** The store underneath. */
  readonly store: VaultStore;
  /** The record shape. */
  readonly schema: S;
  /**
   * Validates, seals and stores a record under `id`, replacing any record there.
   * @throws VaultError `VALIDATION_FAILED` (nothing is stored), `INVALID_ARGUMENT` for a bad id, `STORE_FAILED`.
   */
  set(id: string, record: InputOf<S>): Promise<void>;
  /**
   * Read-modify-write: reads the record, calls `updater`, and writes its result only if the
   * stored value is still the one read (compare-and-set), re-reading and calling `updater`
   * again when another writer got there first. Returns the record now stored.
   *
   * Over a store without compare-and-set (the generic Keyv path) the write is a plain set,
   * so concurrent updates of one record can overwrite each other: use `@credvault/sqlite` or
   * `@credvault/redis` where records are updated concurrently.
   * @throws VaultError `CONFLICT` after `maxAttempts` lost races, and the errors of `get` and `set`.
   */
  update(id: string, updater: Updater<S>, options?: UpdateOptions): Promise<OutputOf<S> | undefined>;
  /**
   * Loads, opens and validates the record under `id`; `undefined` only when there is none.
   * @throws VaultError `DECRYPT_FAILED`, `UNKNOWN_KEY`, `VALIDATION_FAILED`, `INVALID_ARGUMENT`, `STORE_FAILED`.
   */
  get(id: string): Promise<OutputOf<S> | undefined>;
  /**
   * Whether a record is stored under `id`. Does not open it.
   * @throws VaultError `INVALID_ARGUMENT`, `STORE_FAILED`.
   */
  has(id: string): Promise<boolean>;
  /**
   * Removes the record under `id`; whether there was one.
   * @throws VaultError `INVALID_ARGUMENT`, `STORE_FAILED`.
   */
  delete(id: string): Promise<boolean>;
  /**
   * Every record of this namespace as `[id, record]`, optionally filtered on readable fields.
   * Each match is opened and validated; the first that fails ends the iteration with its error.
   * @throws VaultError `UNSUPPORTED` when the store cannot iterate, `INVALID_ARGUMENT` for a
   * filter on an unknown or secret field, and the errors of {@link Vault.get}.
   */
  entries(options?: EntriesOptions<S>): AsyncGenerator<[string, OutputOf<S>], void, undefined>;
  /**
   * Stores many records: all are validated first (one invalid record: `VALIDATION_FAILED`,
   * nothing stored), then written through the store's batch write where it has one.
   * @throws VaultError `VALIDATION_FAILED`, `INVALID_ARGUMENT`, `STORE_FAILED`.
   */
  setMany(entries: Iterable<readonly [string, InputOf<S>]>): Promise<void>;
  /**
   * Moves every record of the namespace to the keyring's primary key (DESIGN.md, rotation
   * step 3): records already on it are skipped without decrypting, the others have only their
   * data key rewrapped (or, with `reencrypt`, their secrets sealed anew), the result is opened
   * before it is written, and writes use compare-and-set so a record the application changed
   * meanwhile is never overwritten. A record that does not open is reported and left as it is.
   * Running it again resumes.
   * @throws VaultError `UNSUPPORTED` when the store cannot iterate, `STORE_FAILED`.
   */
  rotate(options?: RotateOptions): Promise<RotateReport>;
  /** Records per kid, without decrypting: an old kid at zero can leave the keyring. */
  status(): Promise<KeyStatus>;
  /** Opens and validates every record, reporting each that fails. */
  verify(options?: { onProgress?: (report: VerifyReport) => void }): Promise<VerifyReport>;
  /** Closes the store. */
  close(): Promise<void>;
}

function checkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new VaultError('INVALID_ARGUMENT', `id must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
}

/**
 * Creates a vault: records are validated with `schema`, their secret fields sealed in a
 * `cv1` envelope under `keyring`'s primary key, and stored in `store` under `namespace`.
 *
 * @example
 * ```ts
 * const vault = createVault({ keyring: keyringFromEnv(), schema: connectionSchema, namespace: 'connections' })
 * await vault.set(connection.idConnection, connection)
 * ```
 * @throws VaultError `INVALID_ARGUMENT` for a namespace outside `[A-Za-z0-9_-]{1,64}` or a missing keyring or schema.
 */
export function createVault<S extends AnyCredentialSchema>(options: VaultOptions<S>): Vault<S> {
  const { keyring, schema, namespace = 'default', store = keyvStore() } = options;
  if (!NAMESPACE.test(namespace)) {
    throw new VaultError('INVALID_ARGUMENT', `namespace must match ${NAMESPACE.source}`, { path: 'namespace' });
  }
  if (keyring === undefined || typeof keyring.wrap !== 'function') {
    throw new VaultError('INVALID_ARGUMENT', 'a keyring is required', { path: 'keyring' });
  }
  if (schema === undefined || !(schema.secret instanceof Set)) {
    throw new VaultError('INVALID_ARGUMENT', 'schema must come from defineCredentialSchema()', { path: 'schema' });
  }
  const prefix = `${namespace}:`;

  async function open(id: string, stored: string): Promise<OutputOf<S>> {
    try {
      return decodeRecord(schema, await openRecord(keyring, namespace, id, stored), id);
    } catch (error) {
      throw forRecord(error, id);
    }
  }

  return {
    namespace,
    store,
    schema,
    async set(id, record) {
      checkId(id);
      const envelope = await sealRecord(keyring, namespace, id, encodeRecord(schema, record, id));
      await storeCall('set', () => store.set(prefix + id, envelope), id);
    },
    async update(id, updater, updateOptions = {}) {
      checkId(id);
      const key = prefix + id;
      const attempts = updateOptions.maxAttempts ?? 100;
      for (let attempt = 0; attempt < attempts; attempt++) {
        const stored = await storeCall('get', () => store.get(key), id);
        const current = stored === undefined ? undefined : await open(id, stored);
        const next = await updater(current);
        if (next === undefined) return current;
        const text = encodeRecord(schema, next, id);
        const envelope = await sealRecord(keyring, namespace, id, text);
        const { compareAndSet } = store;
        if (compareAndSet === undefined) {
          await storeCall('set', () => store.set(key, envelope), id);
        } else if (!(await storeCall('compareAndSet', () => compareAndSet.call(store, key, stored, envelope), id))) {
          continue;
        }
        return decodeRecord(schema, text, id);
      }
      throw new VaultError('CONFLICT', `gave up after ${attempts} compare-and-set attempts`, { id });
    },
    async get(id) {
      checkId(id);
      const stored = await storeCall('get', () => store.get(prefix + id), id);
      return stored === undefined ? undefined : open(id, stored);
    },
    async has(id) {
      checkId(id);
      return storeCall('has', () => store.has(prefix + id), id);
    },
    async delete(id) {
      checkId(id);
      return storeCall('delete', () => store.delete(prefix + id), id);
    },
    async *entries(entriesOptions = {}) {
      const matches = compileWhere(schema, entriesOptions.where);
      if (store.entries === undefined) {
        throw new VaultError('UNSUPPORTED', `the ${store.name} store cannot iterate`);
      }
      for await (const [key, stored] of store.entries(prefix)) {
        const id = key.slice(prefix.length);
        let readable: string;
        try {
          readable = parseEnvelope(stored).readable;
        } catch (error) {
          throw forRecord(error, id);
        }
        if (matches(readable, id)) yield [id, await open(id, stored)];
      }
    },
    async setMany(entries) {
      const sealed: [string, string][] = [];
      for (const [id, record] of entries) {
        checkId(id);
        sealed.push([id, await sealRecord(keyring, namespace, id, encodeRecord(schema, record, id))]);
      }
      const rows = sealed.map(([id, envelope]) => [prefix + id, envelope] as const);
      const { setMany } = store;
      if (setMany !== undefined) await storeCall('setMany', () => setMany.call(store, rows));
      else for (const [key, envelope] of rows) await storeCall('set', () => store.set(key, envelope));
    },
    rotate: (rotateOptions) => rotateStore(store, keyring, namespace, rotateOptions),
    status: () => keyStatus(store, keyring.primaryKid, namespace),
    verify: (verifyOptions = {}) => verifyStore(store, namespace, open, verifyOptions.onProgress),
    async close() {
      await storeCall('close', async () => store.close?.());
    },
  };
}
