import { type TableStoreOptions, VaultError, type VaultStore } from '@credvault/core';
import type pg from 'pg';
import type { PostgresConnection } from './connection.js';
import { checkIdentifier } from './table-sql.js';

/** The table store's own options, beside its connection: the options every table store shares, and PostgreSQL's. */
export interface TableStoreSettings extends TableStoreOptions {
  /** Your table: `connections`, or schema-qualified `app.connections` (split at the first dot). Case-sensitive. */
  readonly table: string;
  /** The row's primary key: text, uuid, integer, bigint, ... (any type whose text form is the record id). */
  readonly idColumn: string;
  /** TLS options for the pool the store creates from `url` (as `pg`'s `ssl`). */
  readonly ssl?: pg.PoolConfig['ssl'];
  /** Longest any one operation may take before it rejects with `STORE_FAILED`, in ms. Default 5000. */
  readonly timeout?: number;
  /** Connections of the pool the store creates from `url`. Default 10. */
  readonly max?: number;
  /** Rows fetched per iteration page. Default 500. */
  readonly pageSize?: number;
}

/** Options of `postgresTableStore`: a connection (`url` or your `pool`) and the table's names. */
export type PostgresTableStoreOptions = PostgresConnection & TableStoreSettings;

/** The checked options. Internal. */
export interface CheckedSettings {
  readonly namespace: string;
  readonly indexColumns: readonly (readonly [field: string, column: string])[];
  readonly keyStore: VaultStore | undefined;
  readonly insert: boolean;
  readonly pageSize: number;
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(path: string, message: string): VaultError {
  return new VaultError('INVALID_ARGUMENT', `${path} ${message}`, { path });
}

/**
 * Checks the options that need no server.
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault.
 */
export function checkSettings(options: TableStoreSettings): CheckedSettings {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  const { namespace = 'default', indexColumns = {}, keyStore, missingRows = 'refuse', pageSize = 500 } = options;
  checkIdentifier(options.idColumn, 'idColumn');
  checkIdentifier(options.envelopeColumn, 'envelopeColumn');
  if (options.idColumn === options.envelopeColumn) throw invalid('envelopeColumn', 'must not be the id column');
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw invalid('namespace', `must match ${NAMESPACE.source}`);
  }
  if (typeof indexColumns !== 'object' || indexColumns === null || Array.isArray(indexColumns)) {
    throw invalid('indexColumns', 'must be an object of field → column');
  }
  const index = Object.entries(indexColumns);
  const used = new Set([options.idColumn, options.envelopeColumn]);
  for (const [field, column] of index) {
    const path = `indexColumns.${field}`;
    if (field === '' || field.includes(':')) throw invalid(path, 'must name a field (not empty, no ":")');
    checkIdentifier(column, path);
    if (used.has(column)) throw invalid(path, `must be a column of its own, not ${column}`);
    used.add(column);
  }
  if (keyStore !== undefined && (typeof keyStore?.get !== 'function' || typeof keyStore.set !== 'function')) {
    throw invalid('keyStore', 'must be a VaultStore');
  }
  if (missingRows !== 'refuse' && missingRows !== 'insert') throw invalid('missingRows', 'must be refuse or insert');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw invalid('pageSize', 'must be a positive whole number');
  return { namespace, indexColumns: index, keyStore, insert: missingRows === 'insert', pageSize };
}
