import { VaultError } from '../errors/index.js';
import type { RecordText } from '../format/index.js';
import { type CachedKeys, cachedKeys, type KeyEncryptionKeys, Keyring } from '../keys/index.js';
import type { AnyCredentialSchema, OutputOf } from '../records/index.js';
import { RecordCache } from '../records/index.js';
import type { VaultTelemetry } from '../telemetry/index.js';
import type { VaultOptions } from './types.js';

/**
 * The unwrap cache reads go through (see `VaultOptions.unwrapCache`): by default only for a
 * local {@link Keyring}. It sits in front of a view of the keyring without `close()`, so that
 * closing the vault wipes the cached data keys and leaves the keyring to its owner. `keyring`:
 * the keys it calls on a miss (the option's, or their telemetry view); with `telemetry`, each
 * hit, miss and coalesced unwrap is reported too (after the option's own `onEvent`).
 */
export function unwrapCacheFor<S extends AnyCredentialSchema>(
  options: VaultOptions<S>,
  keyring: KeyEncryptionKeys = options.keyring,
  telemetry?: VaultTelemetry,
  namespace = 'default',
): CachedKeys | undefined {
  const { unwrapCache: option } = options;
  if (option === false || (option === undefined && !(options.keyring instanceof Keyring))) return undefined;
  const view: KeyEncryptionKeys = {
    get primaryKid() {
      return keyring.primaryKid;
    },
    get kids() {
      return keyring.kids;
    },
    has: (kid) => keyring.has(kid),
    wrap: (kid, dek, context) => keyring.wrap(kid, dek, context),
    unwrap: (kid, wrapped, context) => keyring.unwrap(kid, wrapped, context),
  };
  if (telemetry === undefined) return cachedKeys(view, option ?? {});
  const { onEvent } = option ?? {};
  return cachedKeys(view, {
    ...option,
    onEvent: (event) => {
      onEvent?.(event);
      if (event.type !== 'evict') telemetry.cache({ cache: 'unwrap', result: event.type, namespace });
    },
  });
}

/** What opening a stored record gave, as the record cache keeps it. */
export interface OpenedRecord<S extends AnyCredentialSchema> {
  readonly record: OutputOf<S>;
  readonly storedAt: Date | undefined;
}

/**
 * Whether `keyring` is a plain local {@link Keyring} (not a subclass, which may unwrap by other
 * means): its wrap and unwrap are this library's own, on keys fixed for its life, so what it
 * wraps is what it unwraps.
 */
export function isLocalKeyring(keyring: KeyEncryptionKeys): boolean {
  return Object.getPrototypeOf(keyring) === Keyring.prototype;
}

/**
 * The record cache reads go through (see `VaultOptions.recordCache`): by default for a plain
 * local {@link Keyring} whose unwrap cache is not turned off, with the unwrap cache's
 * `maxEntries` and `ttlMs` when those are given; never for a vault with tenant keys, whose reads
 * must stop once a shred elsewhere has reached this instance's tenant-key cache.
 * @throws VaultError `INVALID_ARGUMENT` for `recordCache` options together with `tenant`, or options out of range.
 */
export function recordCacheFor<S extends AnyCredentialSchema>(
  options: VaultOptions<S>,
): RecordCache<OpenedRecord<S>, RecordText> | undefined {
  const { recordCache: option, tenant, unwrapCache, keyring } = options;
  if (option === false) return undefined;
  if (tenant !== undefined) {
    if (option === undefined) return undefined;
    throw new VaultError('INVALID_ARGUMENT', 'a vault with tenant keys has no record cache', { path: 'recordCache' });
  }
  if (option !== undefined) return new RecordCache(option);
  if (unwrapCache === false || !isLocalKeyring(keyring)) return undefined;
  const { maxEntries, ttlMs } = unwrapCache ?? {};
  return new RecordCache({
    ...(maxEntries === undefined ? {} : { maxEntries }),
    ...(ttlMs === undefined ? {} : { ttlMs }),
  });
}
