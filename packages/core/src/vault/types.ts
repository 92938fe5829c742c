import type { VaultErrorCode } from '../errors/index.js';
import type { LegacyReader } from '../format/index.js';
import type { KeyEncryptionKeys, UnwrapCacheOptions } from '../keys/index.js';
import type {
  AnyCredentialSchema,
  InputOf,
  OutputOf,
  ReadableOf,
  RecordCacheOptions,
  SecretOf,
} from '../records/index.js';
import type { RotateOptions, RotateReport } from '../rotation/index.js';
import type { VaultStore } from '../store/index.js';
import type { VaultTelemetry } from '../telemetry/index.js';
import type { TenantCustody } from '../tenants/index.js';
import type { VaultEvent, VaultEventType, VaultListener } from './events.js';
import type { SealExecutor } from './seal-executor.js';

/** How a vault returns secret fields: as they are (`plain`), or as `Secret`s (`masked`). */
export type SecretsMode = 'plain' | 'masked';

/** Options of {@link createVault}; `M`: the `secrets` mode, which decides the vault's type. */
export interface VaultOptions<S extends AnyCredentialSchema, M extends SecretsMode = 'plain'> {
  /** Where sealed records live. Default: `memoryStore()` (this process's memory, with compare-and-set; lost on exit). */
  readonly store?: VaultStore;
  /** The key-encryption keys; new writes use the primary. */
  readonly keyring: KeyEncryptionKeys;
  /** The record shape, e.g. `connectionSchema`. */
  readonly schema: S;
  /**
   * `'masked'`: every record read (`get`, `getEntry`, `findBy`, `entries`, `update`, `refresh`,
   * and the record an updater or refresher is given) holds its secret fields as `Secret`s,
   * which show `[secret]` in logs, strings and JSON and give the value only through `expose()`;
   * writes take `Secret`s in secret fields too (a `MaskedVault`). Default `'plain'`: the values.
   */
  readonly secrets?: M;
  /** Keeps vaults sharing a store apart, and is bound into every envelope. Default `default`. */
  readonly namespace?: string;
  /**
   * Secret string fields to keep a blind index of, for {@link Vault.findBy}. Default none. Needs
   * a store with compare-and-set (`createVault` throws `UNSUPPORTED` otherwise): the index key
   * is made by insert-if-absent.
   */
  readonly index?: readonly SecretOf<S>[];
  /**
   * Turns on tenant keys (docs/tenant-keys.md): the readable field naming a record's tenant
   * (e.g. `'idProject'`), or a function of the readable fields returning it. Each tenant gets
   * a random key, stored sealed under the master keys; its records' data keys are wrapped
   * under it. Default none: data keys are wrapped under the master keys.
   */
  readonly tenant?: (keyof ReadableOf<S> & string) | ((readable: ReadableOf<S>) => string);
  /** Bring-your-own-key: the keys a tenant's key is sealed under instead of the master keys (`undefined`: the master keys). */
  readonly tenantCustody?: TenantCustody;
  /** How long a tenant's key is kept in memory after it is loaded, in ms. Default 60,000. */
  readonly tenantCacheTtlMs?: number;
  /**
   * The data keys of records read, kept (bounded, wiped on eviction and on `close()`) so that
   * reading the same envelope again skips the unwrap: a hot `get` makes one AEAD call, not
   * two. Default for a local {@link Keyring}: on, `{ maxEntries: 1000, ttlMs: 300_000 }` (its
   * master keys are in this process's memory already, which can unwrap every data key). Other
   * keyrings: off, since caching a KMS or HSM unwrap keeps a revoked key working until the
   * entry expires; put them behind `cachedKeys` yourself to choose that. `false` turns it off,
   * options turn it on for any keyring. Writes, rotation and verify never use it.
   */
  readonly unwrapCache?: UnwrapCacheOptions | false;
  /**
   * Records read or written, kept (bounded) with the exact envelope text they came from, so that
   * reading a record whose stored text has not changed since skips the unwrap, the decryption,
   * the strict reader and the validation: a hot `get` is the store read and a copy. Every read
   * still loads the record from the store and is answered from the cache only when the stored
   * text is the remembered one, so it never returns a record the store no longer holds, and a
   * tampered record still fails. Each caller gets its own copy. The trade-off (docs/key-custody.md):
   * up to `maxEntries` opened records, secrets included, stay in this process's memory for up to
   * `ttlMs`. Default: on for a plain local {@link Keyring} (not a subclass) unless `unwrapCache`
   * is `false`, `{ maxEntries: 1000, ttlMs: 300_000 }` or the `unwrapCache` options' values; off
   * for other keyrings, where options turn it on with the same meaning for revoked keys as
   * `unwrapCache` (only a plain `Keyring` answers a read of what this vault wrote without
   * unwrapping it first); never with `tenant`. `false` turns it off. `verify` neither reads nor
   * fills it; `close()` empties it for good. A custom schema whose validation depends on the
   * time of reading answers as of the first read.
   */
  readonly recordCache?: RecordCacheOptions | false;
  /**
   * Hears the error of a listener (`vault.on`) that threw, or of an async one that rejected,
   * with the event it was given. A listener's failure never fails the operation and never
   * becomes an uncaught exception. Default: one warning per listener (a listener that fails
   * again is not reported again) through `process.emitWarning` where the runtime has it, else
   * `console.warn`. An error this handler throws is dropped.
   */
  readonly onListenerError?: (error: unknown, event: VaultEvent) => void;
  /**
   * Where the vault reports its operations (spans with their outcome), each store call, each
   * KMS/HSM call, the unwrap and record caches' hits and misses, `status()`'s records per kid
   * and a rotation's progress: `openTelemetry()` of `@credvault/opentelemetry`, or your own
   * `VaultTelemetry`. Never a secret; record ids only if it asks (`recordIds`). Default none:
   * nothing is wrapped and no call does any extra work.
   */
  readonly telemetry?: VaultTelemetry;
  /**
   * How to read values stored before credvault (plaintext JSON, a hand-rolled cipher: see
   * `plaintextJson`, `aesGcmText`, or your own {@link LegacyReader}); several are tried in
   * order. A value not starting with `cv1.` is given to them, validated by the schema like a
   * write, returned, and reported (a `legacy` event; `status()` counts them in `legacy`);
   * `rotate` leaves such values to {@link Vault.migrate}, which rewrites them as envelopes.
   * Default none, the strict setting: a legacy value is `DECRYPT_FAILED`. Remove it once
   * `migrate` reports none left.
   */
  readonly legacy?: LegacyReader | readonly LegacyReader[];
}

/** Options of {@link Vault.migrate}. */
export interface MigrateOptions {
  /** Reads and validates every legacy value, writes nothing. Default `false`. */
  readonly dryRun?: boolean;
  /** Records sealed and written per store round trip. Default 500. */
  readonly batchSize?: number;
  /** Called after each batch with the counts so far. */
  readonly onProgress?: (progress: MigrateReport) => void;
  /**
   * Seals the records elsewhere (e.g. `@credvault/worker-pool`'s `rewrapPool`, on worker
   * threads) while this thread reads, validates and writes: a backfill's sealing then runs on
   * the other cores. Checked first against the vault's keys (a canary it seals must open here).
   * Not used when the vault has tenant keys: those records are sealed here.
   */
  readonly executor?: SealExecutor;
}

/** What {@link Vault.migrate} did (or, with `dryRun`, would do). */
export interface MigrateReport {
  /** Records looked at: the namespace's application records. */
  readonly scanned: number;
  /** The store's count of keys when the run began, for a progress bar; `undefined` when the store cannot count. */
  readonly total: number | undefined;
  /** Legacy values rewritten as `cv1` envelopes (with `dryRun`: that would be). */
  readonly migrated: number;
  /** Records that were envelopes already. */
  readonly alreadyCurrent: number;
  /** Legacy values the application rewrote between the read and the write: its write stands. */
  readonly changedMeanwhile: number;
  /** Legacy values no reader reads, or that fail the schema, with the error code (never the value). */
  readonly failed: readonly VerifyFailure[];
  readonly dryRun: boolean;
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

/** Calls the provider and returns the refreshed record (typically new tokens and expiry). */
export type Refresher<S extends AnyCredentialSchema> = (current: OutputOf<S>) => InputOf<S> | Promise<InputOf<S>>;

/** Options of {@link Vault.refresh}. */
export interface RefreshOptions {
  /** Refresh when the token expires within this margin. Default 5 minutes. */
  readonly skewMs?: number;
  /** Refresh even if the token is not about to expire (unless another caller just did). */
  readonly force?: boolean;
  /** How long the cross-process lease lasts; keep it above the provider's slowest answer. Default 30 s. */
  readonly leaseTtlMs?: number;
  /** How long to wait for another process's refresh before giving up with `CONFLICT`. Default 35 s. */
  readonly waitMs?: number;
}

/** A record with what the vault knows about it. */
export interface VaultEntry<S extends AnyCredentialSchema> {
  readonly id: string;
  readonly record: OutputOf<S>;
  /** When it was last written, where known. */
  readonly storedAt: Date | undefined;
  /** The key id its data key is wrapped under. */
  readonly kid: string | undefined;
}

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
   * @throws VaultError `VALIDATION_FAILED` (nothing is stored), `INVALID_ARGUMENT` for a bad
   * argument (path `id`), `STORE_FAILED`.
   */
  set(id: string, record: InputOf<S>): Promise<void>;
  /**
   * Stores many records: all are validated first (one invalid record: `VALIDATION_FAILED`,
   * nothing stored), then written through the store's batch write where it has one.
   * @throws VaultError `VALIDATION_FAILED`, `INVALID_ARGUMENT` for a bad argument (path
   * `entries` or `entries.<i>`, nothing stored), `STORE_FAILED`.
   */
  setMany(entries: Iterable<readonly [string, InputOf<S>]>): Promise<void>;
  /**
   * Loads, opens and validates the record under `id`; `undefined` only when there is none.
   * @throws VaultError `DECRYPT_FAILED` (also for stored text that breaks the strict reading
   * rules of FORMAT.md), `SECRET_IN_CLEAR` naming a secret field stored readable, `UNKNOWN_KEY`,
   * `VALIDATION_FAILED`, `INVALID_ARGUMENT` for a bad argument (path `id`; also for an id that is
   * not well-formed UTF-16), `STORE_FAILED`.
   */
  get(id: string): Promise<OutputOf<S> | undefined>;
  /**
   * Like `get`, with when the record was stored and under which kid.
   * @throws VaultError as `get`.
   */
  getEntry(id: string): Promise<VaultEntry<S> | undefined>;
  /**
   * Read-modify-write: reads the record, calls `updater`, and writes its result only if the
   * stored value is still the one read (compare-and-set), re-reading and calling `updater`
   * again when another writer got there first. Returns the record now stored.
   *
   * Over a store without compare-and-set (the generic Keyv path) the write is a plain set,
   * so concurrent updates of one record can overwrite each other: use `@credvault/sqlite` or
   * `@credvault/redis` where records are updated concurrently.
   * @throws VaultError `INVALID_ARGUMENT` for a bad argument (path `id`, `updater`, `options`,
   * `maxAttempts`), `CONFLICT` after `maxAttempts` lost races, and the errors of `get` and `set`.
   */
  update(id: string, updater: Updater<S>, options?: UpdateOptions): Promise<OutputOf<S> | undefined>;
  /**
   * Refreshes the record's token if it expires within `skewMs` (or with `force`): calls
   * `refresher` at most once across concurrent callers in this process, and, on a store with
   * leases or compare-and-set (Redis, SQLite), at most once across processes; a caller that
   * finds the record already refreshed by another gets that record without calling the
   * provider. The write is a compare-and-set; if the application changed the record while the
   * provider answered, the refreshed fields are applied on top of its version.
   * @throws VaultError `NOT_FOUND`; `REFRESH_FAILED` with the refresher's error as `cause`
   * (the stored record is left as it was, every waiting caller gets the error); `CONFLICT`
   * after `waitMs` waiting for another process; `INVALID_ARGUMENT` for a bad argument (path
   * `id`, `refresher`, `options`, or the option: `skewMs`, `force`, `leaseTtlMs`, `waitMs`); and
   * the errors of `get` and `set`.
   */
  refresh(id: string, refresher: Refresher<S>, options?: RefreshOptions): Promise<OutputOf<S>>;
  /**
   * Finds the record whose indexed secret `field` equals `value`, through the blind index
   * (`index` option): the value itself is never stored, only its HMAC under a per-namespace
   * index key held in the vault under the keyring. `undefined` when none matches, and for the
   * empty string or a value with a lone surrogate, which are never indexed.
   * @throws VaultError `INVALID_ARGUMENT` when `field` is not indexed or for a bad argument
   * (path `field` or `value`), and the errors of `get`.
   */
  findBy(field: SecretOf<S>, value: string): Promise<{ id: string; record: OutputOf<S> } | undefined>;
  /**
   * Whether a record is stored under `id`. Does not open it.
   * @throws VaultError `INVALID_ARGUMENT` for a bad argument (path `id`), `STORE_FAILED`.
   */
  has(id: string): Promise<boolean>;
  /**
   * Removes the record under `id` (and its index entries); whether there was one.
   * @throws VaultError `INVALID_ARGUMENT` for a bad argument (path `id`), `STORE_FAILED`.
   */
  delete(id: string): Promise<boolean>;
  /**
   * Every record of this namespace as `[id, record]`, optionally filtered on readable fields.
   * Each match is opened and validated; the first that fails ends the iteration with its error.
   * @throws VaultError `UNSUPPORTED` when the store cannot iterate, `INVALID_ARGUMENT` for a
   * filter on an unknown or secret field or a bad argument (path `options`, `where`,
   * `where.<field>`), and the errors of {@link Vault.get}.
   */
  entries(options?: EntriesOptions<S>): AsyncGenerator<[string, OutputOf<S>], void, undefined>;
  /**
   * Moves every record of the namespace to the keyring's primary key (docs/rotation.md,
   * step 3): records already on it are skipped without decrypting, the others have only their
   * data key rewrapped (or, with `reencrypt`, their secrets sealed anew and each field moved to
   * the part the schema puts it in now: the migration for `SECRET_IN_CLEAR`), the result is opened
   * before it is written, and writes use compare-and-set so a record the application changed
   * meanwhile is never overwritten. A record that does not open is reported and left as it is.
   * Running it again resumes.
   * @throws VaultError `UNSUPPORTED` when the store cannot iterate, `INVALID_ARGUMENT` for a bad
   * argument (path `options` or the option: `onProgress`, `signal`, `batchSize`...), `STORE_FAILED`.
   */
  rotate(options?: RotateOptions): Promise<RotateReport>;
  /**
   * Rotates one tenant's key (vaults with `tenant`): adds a fresh key for the tenant and
   * rewraps the data keys of that tenant's records to it, with compare-and-set; running it
   * again resumes. The previous key is dropped by a run that starts once every instance's cache
   * of it has expired (`retireAfter`: by default 11 minutes after the new key was added, see
   * `instancesCacheTtlMs`) and finds no record left on it.
   * @throws VaultError `UNSUPPORTED` without `tenant` or when the store cannot iterate,
   * `TENANT_KEY_GONE` for a tenant with no key, `INVALID_ARGUMENT` for a bad argument (path
   * `tenant`, `options`, `instancesCacheTtlMs`...), `STORE_FAILED`.
   */
  rotateTenant(tenant: string, options?: TenantRotateOptions): Promise<TenantRotateReport>;
  /**
   * Crypto-shreds a tenant (vaults with `tenant`): destroys the tenant's key record, so no copy
   * of its records opens again (for copies in backups: once the master key of the day is
   * retired, docs/tenant-keys.md), then deletes the tenant's records.
   * @throws VaultError `UNSUPPORTED` without `tenant` or when the store cannot iterate,
   * `INVALID_ARGUMENT` for a bad argument (path `tenant`), `STORE_FAILED`.
   */
  shred(tenant: string): Promise<ShredReport>;
  /**
   * Records per kid, without decrypting, and the vault's own records (`~index-key`,
   * `~tenant:`) apart: an old kid at zero in both can leave the keyring.
   * @throws VaultError `UNSUPPORTED` when the store cannot iterate, `STORE_FAILED`.
   */
  status(): Promise<KeyStatus>;
  /**
   * Opens and validates every record, reporting each that fails.
   * @throws VaultError `INVALID_ARGUMENT` for a bad argument (path `options` or `onProgress`),
   * `UNSUPPORTED` when the store cannot iterate, `STORE_FAILED`.
   */
  verify(options?: { onProgress?: (report: VerifyReport) => void }): Promise<VerifyReport>;
  /**
   * Rewrites every legacy value (see `legacy`) as a `cv1` envelope, with compare-and-set per
   * record so that a write of the application meanwhile wins. Idempotent: run it again after
   * an interruption (even `kill -9`) and it goes on where the values say, since each record is
   * either still legacy or an envelope.
   * @throws VaultError `INVALID_ARGUMENT` for bad options (path `options...`) or a vault
   * without `legacy` (path `legacy`), `UNSUPPORTED` when the store cannot iterate or has no
   * compare-and-set, `STORE_FAILED`.
   */
  migrate(options?: MigrateOptions): Promise<MigrateReport>;
  /**
   * Listens to `set`, `get`, `delete`, `refresh`, `refreshFailed`, `rotate`, `decryptFailed`
   * (or `'*'`): each event has the id, namespace, kid and time, never a secret. Returns the
   * function that stops listening.
   * @throws VaultError `INVALID_ARGUMENT` for a bad argument (path `type` or `listener`).
   */
  on<E extends VaultEventType | '*'>(type: E, listener: VaultListener<E>): () => void;
  /** Closes the store. */
  close(): Promise<void>;
}

/** What {@link Vault.shred} did. */
export interface ShredReport {
  readonly tenant: string;
  /** Whether the tenant had a key record, now destroyed. */
  readonly keyDestroyed: boolean;
  /** The tenant's records deleted after the key. */
  readonly deleted: number;
}

/** Options of {@link Vault.rotateTenant}. */
export interface TenantRotateOptions extends RotateOptions {
  /**
   * The longest `tenantCacheTtlMs` of every instance that writes this namespace: the old key
   * is retired only once that long has passed since the new one was added. Default
   * `MAX_TENANT_CACHE_TTL_MS` (10 minutes, the most `createVault` accepts) plus one minute for
   * writes in flight and clock skew. Pass less only if you know every instance's setting.
   */
  readonly instancesCacheTtlMs?: number;
}

/** What {@link Vault.rotateTenant} did. */
export interface TenantRotateReport extends RotateReport {
  readonly tenant: string;
  /** Whether the tenant's previous keys were dropped: no record uses them any more. */
  readonly retired: boolean;
  /**
   * While `retired` is false: the earliest time the previous keys can go (every instance's
   * cache of them has expired by then). Run `rotateTenant` again after it.
   */
  readonly retireAfter: Date | undefined;
}

/**
 * Records per key id: when an old kid counts zero in `kids` and in `vaultRecords.kids`, it can
 * leave the keyring.
 */
export interface KeyStatus {
  readonly primaryKid: string;
  /** The application's records (the vault's own records are counted apart, in `vaultRecords`). */
  readonly total: number;
  /** Records per kid (`?`: not a cv1 envelope; `~tenant`: under tenant keys, which the master rotation leaves alone). */
  readonly kids: Readonly<Record<string, number>>;
  /** Records on any master kid but the primary. */
  readonly notOnPrimary: number;
  /**
   * Of the records under `?`, those not starting with `cv1.`: values stored before credvault,
   * which a vault with `legacy` readers reads and `migrate` rewrites. 0 once migrated.
   */
  readonly legacy: number;
  /**
   * The vault's own records of the namespace, which are not the application's but are sealed
   * under the keys too: a kid is retired only once these are off it as well (`rotate` moves them).
   */
  readonly vaultRecords: {
    /** `~index-key` records: 1 where the namespace has a blind index, else 0. */
    readonly indexKey: number;
    /** `~tenant:<t>` tenant key records: one per tenant. */
    readonly tenantKeys: number;
    /** Those records per kid (a tenant key record under its own custody keys shows that kid). */
    readonly kids: Readonly<Record<string, number>>;
    /** Those records on any kid but the primary. */
    readonly notOnPrimary: number;
  };
}

/** A record that does not open or validate. */
export interface VerifyFailure {
  readonly id: string;
  readonly code: VaultErrorCode;
  /** Field path, for `VALIDATION_FAILED`. */
  readonly path?: string;
}

/** What `verify` found. */
export interface VerifyReport {
  readonly scanned: number;
  readonly ok: number;
  readonly failed: readonly VerifyFailure[];
}
