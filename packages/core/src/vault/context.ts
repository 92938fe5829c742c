import { storeCall, VaultError } from '../errors/index.js';
import { isLegacyValue, type LegacyReaders, legacyReaders, type RecordText } from '../format/index.js';
import { type CachedKeys, type KeyEncryptionKeys, observedKeys } from '../keys/index.js';
import type { AnyCredentialSchema, OutputOf, RecordCache } from '../records/index.js';
import { type Rereader, rereaderOf } from '../records/index.js';
import type { RotateHooks } from '../rotation/index.js';
import { memoryStore, observedStore, recordKey, type VaultStore } from '../store/index.js';
import type { VaultTelemetry } from '../telemetry/index.js';
import { Tenancy, type TenantOf } from '../tenants/index.js';
import { BlindIndex } from './blind-index.js';
import { type VaultEvent, VaultEvents } from './events.js';
import { checkOptions } from './options.js';
import { isLocalKeyring, type OpenedRecord, recordCacheFor, unwrapCacheFor } from './read-caches.js';
import type { VaultOptions } from './types.js';

/** A stored record as the vault read it: its stored text, what it opened to, and its kid. */
export interface StoredRecord<S extends AnyCredentialSchema> {
  readonly stored: string;
  readonly record: OutputOf<S>;
  readonly storedAt: Date | undefined;
  readonly kid: string | undefined;
}

/**
 * Everything one vault's operations share: its options resolved, its caches, blind index,
 * tenant keys and listeners. Made once by {@link vaultContext}; every operation in this folder
 * takes it as its first argument.
 */
export interface VaultContext<S extends AnyCredentialSchema> {
  /** The store the operations call: the given one, reported to `telemetry` when there is one. */
  readonly store: VaultStore;
  /** The store as given (or the default memory store), never wrapped: `vault.store`. */
  readonly givenStore: VaultStore;
  /** The keys the operations call: the keyring, its remote calls reported to `telemetry` when there is one. */
  readonly keyring: KeyEncryptionKeys;
  /** Where the vault reports its operations, store and key calls and caches, if anywhere. */
  readonly telemetry: VaultTelemetry | undefined;
  readonly schema: S;
  readonly namespace: string;
  /** The store key of a record id. */
  readonly key: (id: string) => string;
  readonly events: VaultEvents;
  /** The blind index, when `index` names fields. */
  readonly index: BlindIndex | undefined;
  /** The unwrap cache reads go through, if any. */
  readonly readKeys: CachedKeys | undefined;
  /** The record cache, if any. */
  readonly records: RecordCache<OpenedRecord<S>, RecordText> | undefined;
  /** Whether what a write stores may answer reads without an unwrap (the keyring's unwrap is this library's own). */
  readonly drafts: boolean;
  /** Copies a written record as a read would return it, where the schema's records read back as validated. */
  readonly reread: Rereader | undefined;
  /** The legacy readers, tried in order, when `legacy` is set. */
  readonly legacy: LegacyReaders | undefined;
  /** Tenant keys, when `tenant` is set. */
  readonly tenancy: Tenancy | undefined;
  /** What the vault hears from a rotation: events. */
  readonly rotateHooks: RotateHooks;
  /** Requests of `refresh` in flight, one per id. */
  readonly flights: Map<string, Promise<OutputOf<S>>>;
  /** Tells listeners (if any) of an operation on a record. */
  emit(type: VaultEvent['type'], id: string, kid: string | undefined, extra?: object): void;
}

/** Wipes a context's cached keys and records and closes its store. */
export async function closeContext<S extends AnyCredentialSchema>(ctx: VaultContext<S>): Promise<void> {
  ctx.tenancy?.tenants.clear();
  ctx.records?.close();
  await ctx.readKeys?.close();
  const { store } = ctx;
  await storeCall('close', async () => store.close?.());
}

/**
 * Checks `options` and resolves them into a {@link VaultContext}.
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault (see `createVault`).
 */
export function vaultContext<S extends AnyCredentialSchema>(options: VaultOptions<S>): VaultContext<S> {
  const { schema, namespace = 'default', store: givenStore = memoryStore(), telemetry } = options;
  checkOptions({ ...options, store: givenStore }, namespace);
  // Resolved once: without telemetry the store and keyring are the very objects given, so the
  // default path does no extra work on any call.
  const store = telemetry === undefined ? givenStore : observedStore(givenStore, telemetry, namespace);
  const keyring =
    telemetry === undefined || isLocalKeyring(options.keyring)
      ? options.keyring
      : observedKeys(options.keyring, telemetry);
  const { onListenerError } = options;
  if (onListenerError !== undefined && typeof onListenerError !== 'function') {
    throw new VaultError('INVALID_ARGUMENT', 'onListenerError must be a function', { path: 'onListenerError' });
  }
  const events = new VaultEvents(onListenerError);
  const records = recordCacheFor(options);
  const drafts = isLocalKeyring(keyring);
  const fields = (options.index ?? []) as readonly string[];
  const emit: VaultContext<S>['emit'] = (type, id, kid, extra = {}) => {
    if (events.active) events.emit({ type, id, namespace, kid, time: new Date(), ...extra } as VaultEvent);
  };
  return {
    store,
    givenStore,
    keyring,
    telemetry,
    schema,
    namespace,
    key: (id) => recordKey(namespace, id),
    events,
    index: fields.length === 0 ? undefined : new BlindIndex(store, keyring, namespace, fields),
    readKeys: unwrapCacheFor(options, keyring, telemetry, namespace),
    records,
    drafts,
    legacy: legacyReaders(options.legacy),
    reread: drafts && records !== undefined ? rereaderOf(schema.schema) : undefined,
    tenancy:
      options.tenant === undefined
        ? undefined
        : Tenancy.create(
            {
              tenant: options.tenant as TenantOf,
              custody: options.tenantCustody,
              cacheTtlMs: options.tenantCacheTtlMs,
            },
            { store, namespace, master: keyring },
          ),
    rotateHooks: {
      rewrapped: (id, fromKid, toKid) => emit('rotate', id, toKid, { fromKid }),
      failed: (id, code, kid) => emit('decryptFailed', id, kid, { code }),
      ...(options.legacy === undefined ? {} : { leaves: isLegacyValue }),
      ...(telemetry === undefined
        ? {}
        : { batch: (records: number) => telemetry.operation({ operation: 'rotate.batch', namespace, records }) }),
    },
    flights: new Map(),
    emit,
  };
}
