import { forRecord, isVaultError, storeCall, VaultError } from '../errors/index.js';
import { envelopeKid, openRecord, parseEnvelope, type RecordText, sealRecord } from '../format/index.js';
import type { AnyCredentialSchema, OutputOf } from '../records/index.js';
import { compileWhere, copyRecord, decodeRecord, encodeRecord, rereaderOf } from '../records/index.js';
import type { RotateHooks } from '../rotation/index.js';
import { rotateStore } from '../rotation/index.js';
import {
  checkId,
  INDEX_KEY_ID,
  idOfKey,
  isVaultId,
  iterate,
  leaseFor,
  leaseKey,
  memoryStore,
  recordKey,
  recordPrefix,
} from '../store/index.js';
import { TENANT_RECORD_PREFIX, Tenancy, type TenantOf } from '../tenants/index.js';
import { BlindIndex, openIndexKey } from './blind-index.js';
import { type VaultEvent, VaultEvents } from './events.js';
import { keyStatus, verifyStore } from './maintenance.js';
import { checkOptions, sameSecret } from './options.js';
import { isLocalKeyring, type OpenedRecord, recordCacheFor, unwrapCacheFor } from './read-caches.js';
import { type RefreshContext, refreshOnce, type StoredRecord } from './refresh.js';
import { rotateTenantKeys, shredTenant, type TenantOpsContext } from './tenant-ops.js';
import type { Vault, VaultOptions } from './types.js';

/** A record validated and sealed, not yet stored. */
interface Sealed<S extends AnyCredentialSchema> {
  readonly record: OutputOf<S>;
  readonly text: RecordText;
  readonly envelope: string;
  readonly storedAt: Date;
}

/** Failures to open a stored record that the `decryptFailed` audit event reports. */
const OPEN_FAILURES: ReadonlySet<string> = new Set([
  'DECRYPT_FAILED',
  'UNKNOWN_KEY',
  'TENANT_KEY_GONE',
  'SECRET_IN_CLEAR',
]);

/**
 * How a read uses the caches: `fill` reads and fills them; `read` reads them but keeps what it
 * opens out of the record cache (a scan must not evict the hot records); `none` goes around both
 * (verify).
 */
type CacheUse = 'fill' | 'read' | 'none';

/**
 * Creates a vault: records are validated with `schema`, their secret fields sealed in a
 * `cv1` envelope under `keyring`'s primary key, and stored in `store` under `namespace`.
 *
 * @example
 * ```ts
 * const vault = createVault({ keyring: keyringFromEnv(), schema: connectionSchema, namespace: 'connections' })
 * await vault.set(connection.idConnection, connection)
 * ```
 * @throws VaultError `INVALID_ARGUMENT` for a namespace outside `[A-Za-z0-9_-]{1,64}`, a missing
 * keyring or schema, or an `index` field that is not a secret field.
 */
export function createVault<S extends AnyCredentialSchema>(options: VaultOptions<S>): Vault<S> {
  const { keyring, schema, namespace = 'default', store = memoryStore() } = options;
  checkOptions({ ...options, store }, namespace);
  const key = (id: string) => recordKey(namespace, id);
  const events = new VaultEvents();
  const index =
    (options.index ?? []).length === 0
      ? undefined
      : new BlindIndex(store, keyring, namespace, options.index as readonly string[]);
  const flights = new Map<string, Promise<OutputOf<S>>>();
  const readKeys = unwrapCacheFor(options);
  const records = recordCacheFor(options);
  // What a write stores answers reads without an unwrap only where that unwrap is this library's own.
  const drafts = isLocalKeyring(keyring);
  // ... and without parsing and validating it again where the schema's records read back as validated.
  const reread = drafts && records !== undefined ? rereaderOf(schema.schema) : undefined;
  const tenancy =
    options.tenant === undefined
      ? undefined
      : Tenancy.create(
          {
            tenant: options.tenant as TenantOf,
            custody: options.tenantCustody,
            cacheTtlMs: options.tenantCacheTtlMs,
          },
          { store, namespace, master: keyring },
        );
  const rotateHooks: RotateHooks = {
    rewrapped: (id, fromKid, toKid) => emit('rotate', id, toKid, { fromKid }),
    failed: (id, code, kid) => emit('decryptFailed', id, kid, { code }),
  };

  function emit(type: VaultEvent['type'], id: string, kid: string | undefined, extra: object = {}): void {
    if (events.active) events.emit({ type, id, namespace, kid, time: new Date(), ...extra } as VaultEvent);
  }

  /**
   * Opens a stored value; `audit` emits `get`; `cache`: how it uses the record and unwrap
   * caches, if any. Failures to open emit `decryptFailed`.
   */
  async function open(id: string, stored: string, audit = true, cache: CacheUse = 'fill'): Promise<StoredRecord<S>> {
    const kid = envelopeKid(stored);
    try {
      const { record, storedAt } =
        (cache === 'none' ? undefined : fromCache(id, stored)) ?? (await openStored(id, stored, cache));
      if (audit) emit('get', id, kid);
      return { stored, record, storedAt, kid };
    } catch (error) {
      if (isVaultError(error) && OPEN_FAILURES.has(error.code)) emit('decryptFailed', id, kid, { code: error.code });
      throw forRecord(error, id);
    }
  }

  async function openStored(id: string, stored: string, cache: CacheUse): Promise<OpenedRecord<S>> {
    const keys =
      tenancy !== undefined ? await tenancy.forOpen(id, stored) : cache === 'none' ? keyring : (readKeys ?? keyring);
    const opened = decodeRecord(schema, await openRecord(keys, namespace, id, stored), id);
    return cache === 'fill' ? remember(id, stored, opened) : { record: opened.record, storedAt: opened.meta.storedAt };
  }

  /** A copy of what the record cache holds for exactly this text (a write's text is decoded on its first read). */
  function fromCache(id: string, stored: string): OpenedRecord<S> | undefined {
    const hit = records?.lookup(id, stored);
    if (hit === undefined) return undefined;
    return 'value' in hit ? copyRecord(hit.value) : remember(id, stored, decodeRecord(schema, hit.draft, id, true));
  }

  /** Puts a copy of what `stored` opened to in the record cache (records of plain data only). */
  function remember(id: string, stored: string, { record, meta }: ReturnType<typeof decodeRecord<S>>) {
    const opened: OpenedRecord<S> = { record, storedAt: meta.storedAt };
    if (records === undefined) return opened;
    const copy = copyRecord(opened);
    if (copy === undefined) records.forget(id);
    else records.opened(id, stored, copy);
    return opened;
  }

  async function read(id: string, audit = true): Promise<StoredRecord<S> | undefined> {
    const stored = await storeCall('get', () => store.get(key(id)), id);
    return stored === undefined ? undefined : open(id, stored, audit);
  }

  /** The current record for index upkeep: one that does not open just has no index entries to remove. */
  async function previous(id: string): Promise<OutputOf<S> | undefined> {
    if (index === undefined) return undefined;
    return (await read(id, false).catch(() => undefined))?.record;
  }

  async function seal(id: string, input: unknown): Promise<Sealed<S>> {
    const storedAt = new Date();
    const { record, text } = encodeRecord(schema, input, id, { storedAt });
    // The tenant is read from the readable fields only: the same view a reader has.
    const keys =
      tenancy === undefined
        ? keyring
        : await tenancy.forWrite(tenancy.tenantOf(JSON.parse(text.readable) as Record<string, unknown>, id));
    return { record, text, storedAt, envelope: await sealRecord(keys, namespace, id, text) };
  }

  function tenantOps(): TenantOpsContext {
    if (tenancy === undefined)
      throw new VaultError('UNSUPPORTED', 'this vault has no tenant keys: createVault({ tenant })');
    return { store, namespace, tenancy, master: keyring, schema, hooks: rotateHooks };
  }

  /** Runs `put`, keeping the blind index (if any) right. */
  function write(
    id: string,
    before: object | undefined,
    after: object | undefined,
    put: () => Promise<boolean>,
  ): Promise<boolean> {
    return index === undefined ? put() : index.write(id, before, after, put);
  }

  /**
   * A sealed record is in the store: the record cache learns what its text reads back as (or
   * the text, to decode on the first read), listeners hear `set`.
   */
  function landed(id: string, { envelope, text, record, storedAt }: Sealed<S>): void {
    if (!drafts) records?.forget(id);
    else if (reread === undefined) records?.wrote(id, envelope, text);
    else records?.opened(id, envelope, { record: reread(record) as OutputOf<S>, storedAt });
    emit('set', id, envelopeKid(envelope));
  }

  /** A blind write (replace whatever is there), keeping the blind index right. */
  async function put(id: string, sealed: Sealed<S>): Promise<void> {
    await write(id, await previous(id), sealed.record, () =>
      storeCall('set', () => store.set(key(id), sealed.envelope), id).then(() => true),
    );
    landed(id, sealed);
  }

  /**
   * Compare-and-set where the store has it, a plain set otherwise, keeping the blind index right
   * (`before`: the record read); whether it was written.
   */
  async function putIfUnchanged(id: string, before: StoredRecord<S> | undefined, sealed: Sealed<S>): Promise<boolean> {
    const cas = store.compareAndSet;
    const ok = await write(id, before?.record, sealed.record, () =>
      cas === undefined
        ? storeCall('set', () => store.set(key(id), sealed.envelope), id).then(() => true)
        : storeCall('compareAndSet', () => cas.call(store, key(id), before?.stored, sealed.envelope), id),
    );
    if (ok) landed(id, sealed);
    return ok;
  }

  const refreshContext: RefreshContext<S> = {
    read: (id) => read(id),
    async replace(id, before, next) {
      const sealed = await seal(id, next);
      return (await putIfUnchanged(id, before, sealed)) ? sealed.record : undefined;
    },
    lease: leaseFor(store),
    leaseName: (id) => leaseKey(namespace, 'refresh', id),
    emit: (type, id, code) => emit(type, id, keyring.primaryKid, code === undefined ? {} : { code }),
  };

  const vault: Vault<S> = {
    namespace,
    store,
    schema,
    async set(id, input) {
      checkId(id);
      await put(id, await seal(id, input));
    },
    async setMany(entries) {
      const batch: [string, Sealed<S>][] = [];
      for (const [id, input] of entries) {
        checkId(id);
        batch.push([id, await seal(id, input)]);
      }
      const { setMany } = store;
      if (index !== undefined || setMany === undefined) {
        for (const [id, sealed] of batch) await put(id, sealed);
        return;
      }
      const rows = batch.map(([id, { envelope }]) => [key(id), envelope] as const);
      await storeCall('setMany', () => setMany.call(store, rows));
      for (const [id, sealed] of batch) landed(id, sealed);
    },
    async get(id) {
      checkId(id);
      return (await read(id))?.record;
    },
    async getEntry(id) {
      checkId(id);
      const entry = await read(id);
      return entry === undefined ? undefined : { id, record: entry.record, storedAt: entry.storedAt, kid: entry.kid };
    },
    async update(id, updater, updateOptions = {}) {
      checkId(id);
      const attempts = updateOptions.maxAttempts ?? 100;
      for (let attempt = 0; attempt < attempts; attempt++) {
        const current = await read(id);
        const next = await updater(current?.record);
        if (next === undefined) return current?.record;
        const sealed = await seal(id, next);
        if (await putIfUnchanged(id, current, sealed)) return sealed.record;
      }
      throw new VaultError('CONFLICT', `gave up after ${attempts} compare-and-set attempts`, { id });
    },
    refresh(id, refresher, refreshOptions = {}) {
      checkId(id);
      const inFlight = flights.get(id);
      if (inFlight !== undefined) return inFlight;
      const flight = refreshOnce(refreshContext, id, refresher, refreshOptions).finally(() => flights.delete(id));
      flights.set(id, flight);
      return flight;
    },
    async findBy(field, value) {
      if (index === undefined || !index.fields.includes(field)) {
        throw new VaultError('INVALID_ARGUMENT', `"${field}" is not indexed: createVault({ index: ["${field}"] })`, {
          path: field,
        });
      }
      if (typeof value !== 'string' || value === '') return undefined;
      const id = await index.lookup(field, value);
      const found = id === undefined ? undefined : await read(id);
      const actual = (found?.record as Record<string, unknown> | undefined)?.[field];
      if (found === undefined || typeof actual !== 'string' || !sameSecret(actual, value)) return undefined;
      return { id: id as string, record: found.record };
    },
    async has(id) {
      checkId(id);
      return storeCall('has', () => store.has(key(id)), id);
    },
    async delete(id) {
      checkId(id);
      const before = await previous(id);
      let existed = false;
      await write(id, before, undefined, async () => {
        existed = await storeCall('delete', () => store.delete(key(id)), id);
        return true;
      });
      records?.forget(id);
      if (existed) emit('delete', id, undefined);
      return existed;
    },
    async *entries(entriesOptions = {}) {
      const matches = compileWhere(schema, entriesOptions.where);
      for await (const [storeKey, stored] of iterate(store)(recordPrefix(namespace))) {
        const id = idOfKey(namespace, storeKey);
        if (isVaultId(id)) continue; // vault-internal (the index key)
        let readable: string;
        try {
          readable = parseEnvelope(stored).readable;
        } catch (error) {
          throw forRecord(error, id);
        }
        if (matches(readable, id)) yield [id, (await open(id, stored, true, 'read')).record];
      }
    },
    rotate: (rotateOptions) =>
      rotateStore(
        store,
        keyring,
        namespace,
        rotateOptions,
        schema,
        rotateHooks,
        tenancy?.masterRoute(rotateOptions?.dryRun === true),
      ),
    rotateTenant: async (tenant, rotateOptions) => rotateTenantKeys(tenantOps(), tenant, rotateOptions),
    shred: async (tenant) => shredTenant(tenantOps(), tenant),
    status: () => keyStatus(store, keyring.primaryKid, namespace),
    verify: (verifyOptions = {}) =>
      verifyStore(
        store,
        namespace,
        (id, stored) => {
          if (id === INDEX_KEY_ID) return openIndexKey(keyring, namespace, stored).then((key) => key.fill(0));
          if (tenancy !== undefined && id.startsWith(TENANT_RECORD_PREFIX)) return tenancy.verifyKeyRecord(id, stored);
          return isVaultId(id) ? openRecord(keyring, namespace, id, stored) : open(id, stored, false, 'none');
        },
        verifyOptions.onProgress,
      ),
    on: (type, listener) => events.on(type, listener),
    async close() {
      tenancy?.tenants.clear();
      records?.close();
      await readKeys?.close();
      await storeCall('close', async () => store.close?.());
    },
  };
  return vault;
}
