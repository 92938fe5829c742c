import { isVaultError } from '@credvault/core';

/** The instrumentation scope: this package's name and version. */
export const SCOPE = '@credvault/opentelemetry';
export const SCOPE_VERSION = '0.1.0';

/** Span names: `credvault.<operation>`, `credvault.rotate.batch`; store calls `<operation> <namespace>`. */
export const SPAN_PREFIX = 'credvault.';

/** Attribute keys (the semantic conventions' where one fits, else `credvault.*`). */
export const ATTR = {
  operation: 'credvault.operation',
  outcome: 'credvault.outcome',
  namespace: 'credvault.namespace',
  recordId: 'credvault.record.id',
  records: 'credvault.records',
  store: 'credvault.store',
  kid: 'credvault.key.id',
  cache: 'credvault.cache',
  cacheResult: 'credvault.cache.result',
  rotationResult: 'credvault.rotation.result',
  primary: 'credvault.key.primary',
  errorType: 'error.type',
  dbSystem: 'db.system.name',
  dbOperation: 'db.operation.name',
  dbNamespace: 'db.namespace',
  dbBatchSize: 'db.operation.batch.size',
} as const;

/** Metric names. */
export const METRIC = {
  operationDuration: 'credvault.operation.duration',
  storeDuration: 'credvault.store.duration',
  cacheRequests: 'credvault.cache.requests',
  remoteKeyDuration: 'credvault.remote_key.duration',
  remoteKeyFailures: 'credvault.remote_key.failures',
  records: 'credvault.records',
  recordsNotOnPrimary: 'credvault.records.not_on_primary',
  rotationRecords: 'credvault.rotation.records',
} as const;

/**
 * `db.system.name` of a store by its `name`: the semantic conventions' well-known value where
 * one fits (`sqlite`, `postgresql`, `redis`), else the store's own name (`memory`, `keyv`, ...).
 */
export function dbSystem(store: string): string {
  if (store === 'postgres' || store === 'postgresql') return 'postgresql';
  if (store.startsWith('redis')) return 'redis';
  return store;
}

/** The outcome of a failed call: a `VaultError`'s code, else the error's name (`Error`, `TypeError`, ...). */
export function outcomeOf(error: unknown): string {
  if (isVaultError(error)) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
