import { checkFunction, invalidArgument, isRecordLike, VaultError } from '../errors/index.js';
import { checkKeyEncryptionKeys, checkUnwrapCacheOptions } from '../keys/index.js';
import { type AnyCredentialSchema, isCredentialSchema } from '../records/index.js';
import { checkNamespace, type VaultStore } from '../store/index.js';
import type { VaultOptions } from './types.js';

/** Compares two secret strings in time that depends only on their lengths. */
export function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * Checks the options of `createVault` (ids are checked by `checkId` in store-keys.ts): each is
 * left out or of its documented kind.
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault (`unwrapCache.now`), `UNSUPPORTED`
 * for tenant keys over a store without compare-and-set.
 */
export function checkOptions<S extends AnyCredentialSchema>(options: VaultOptions<S>, namespace: string): void {
  checkNamespace(namespace);
  checkStore(options.store);
  if (options.keyring === undefined) throw invalidArgument('keyring', 'given: a keyring is required');
  checkKeyEncryptionKeys(options.keyring, 'keyring');
  if (!isCredentialSchema(options.schema)) {
    throw new VaultError('INVALID_ARGUMENT', 'schema must come from defineCredentialSchema()', { path: 'schema' });
  }
  const index: unknown = options.index;
  if (index !== undefined && !Array.isArray(index)) throw invalidArgument('index', 'an array of secret field names');
  for (const field of options.index ?? []) {
    if (!options.schema.secret.has(field)) {
      throw new VaultError('INVALID_ARGUMENT', `index field "${String(field)}" is not a secret field of the schema`, {
        path: 'index',
      });
    }
  }
  checkCacheOptions(options);
  checkTenantOptions(options);
  checkTelemetry(options.telemetry);
  checkSecretsMode(options.secrets);
}

/** @throws VaultError `INVALID_ARGUMENT` (path `secrets`) for anything but `'plain'`, `'masked'` and `undefined`. */
function checkSecretsMode(secrets: unknown): void {
  if (secrets !== undefined && secrets !== 'plain' && secrets !== 'masked') {
    throw invalidArgument('secrets', "'plain' or 'masked' (or left out)");
  }
}

/** The methods a `VaultTelemetry` must have. */
const TELEMETRY_METHODS = ['operation', 'storeCall', 'remoteKeyCall', 'cache', 'rotation', 'records'] as const;

/** @throws VaultError `INVALID_ARGUMENT` (path `telemetry`) for telemetry without the members of `VaultTelemetry`. */
function checkTelemetry(telemetry: unknown): void {
  if (telemetry === undefined) return;
  const ok =
    isRecordLike(telemetry) &&
    TELEMETRY_METHODS.every((name) => typeof telemetry[name] === 'function') &&
    (telemetry.recordIds === undefined || typeof telemetry.recordIds === 'boolean');
  if (!ok) throw invalidArgument('telemetry', 'a VaultTelemetry (e.g. openTelemetry() of @credvault/opentelemetry)');
}

/** The members a store must have, and those it may have (each a function). */
const STORE_REQUIRED = ['get', 'set', 'delete', 'has'] as const;
const STORE_OPTIONAL = [
  'entries',
  'getMany',
  'setMany',
  'compareAndSet',
  'compareAndSetMany',
  'replacePrefixMany',
  'count',
  'lease',
  'close',
] as const;

/** @throws VaultError `INVALID_ARGUMENT` (path `store`) for a store without the members of the `VaultStore` contract. */
function checkStore(store: unknown): asserts store is VaultStore {
  const ok =
    isRecordLike(store) &&
    STORE_REQUIRED.every((name) => typeof store[name] === 'function') &&
    STORE_OPTIONAL.every((name) => store[name] === undefined || typeof store[name] === 'function');
  if (!ok) throw invalidArgument('store', 'a VaultStore (get, set, delete, has; optional members functions)');
}

/** @throws VaultError `INVALID_ARGUMENT` naming the `unwrapCache` or `recordCache` option at fault. */
function checkCacheOptions<S extends AnyCredentialSchema>(options: VaultOptions<S>): void {
  const { unwrapCache, recordCache } = options;
  if (unwrapCache !== undefined && unwrapCache !== false) checkUnwrapCacheOptions(unwrapCache, 'unwrapCache');
  if (recordCache === undefined || recordCache === false) return;
  if (!isRecordLike(recordCache)) throw invalidArgument('recordCache', 'false or an object of cache options');
  checkFunction(recordCache.now, 'recordCache.now', true);
}

/** The longest `tenantCacheTtlMs` a vault accepts: what `rotateTenant` waits for by default before it retires a key. */
export const MAX_TENANT_CACHE_TTL_MS: number = 10 * 60_000;

function checkTenantOptions<S extends AnyCredentialSchema>(options: VaultOptions<S>): void {
  const { tenant, tenantCacheTtlMs, tenantCustody, store } = options;
  if (tenant === undefined && tenantCustody !== undefined) {
    throw invalidArgument('tenantCustody', 'left out without tenant: it chooses where tenant keys are sealed');
  }
  if (tenant === undefined) return;
  checkFunction(tenantCustody, 'tenantCustody', true);
  if (typeof tenant === 'string' && (!options.schema.fields.includes(tenant) || options.schema.secret.has(tenant))) {
    throw new VaultError('INVALID_ARGUMENT', `tenant "${tenant}" must name a readable field of the schema`, {
      path: 'tenant',
    });
  }
  if (typeof tenant !== 'string' && typeof tenant !== 'function') {
    throw new VaultError('INVALID_ARGUMENT', 'tenant must be a readable field name or a function', { path: 'tenant' });
  }
  const ttl = tenantCacheTtlMs === undefined ? 0 : tenantCacheTtlMs;
  if (!Number.isSafeInteger(ttl) || ttl < 0 || ttl > MAX_TENANT_CACHE_TTL_MS) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `tenantCacheTtlMs must be a whole number from 0 to ${MAX_TENANT_CACHE_TTL_MS}`,
      {
        path: 'tenantCacheTtlMs',
      },
    );
  }
  // A tenant's first key is made by insert-if-absent: without it two writers could each make one
  // and the second would overwrite the first, losing every record sealed under it.
  if (store?.compareAndSet === undefined) {
    throw new VaultError(
      'UNSUPPORTED',
      `tenant keys need a store with compare-and-set; the ${store?.name ?? 'default'} store has none`,
      {
        path: 'tenant',
      },
    );
  }
}
