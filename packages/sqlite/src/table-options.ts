import { type TableStoreOptions, VaultError, type VaultStore } from '@credvault/core';

/** The table part of {@link SqliteTableStoreOptions}: the options every table store shares (core's contract). */
export type { TableStoreOptions };

/** Options of {@link sqliteTableStore}: the connection options of `sqliteStore` and the table. */
export interface SqliteTableStoreOptions extends TableStoreOptions {
  /** The user's table, e.g. `connections`. One name (a dot is part of it in SQLite), quoted as given. */
  readonly table: string;
  /** The database file holding the table (it must exist: nothing is created). */
  readonly path: string;
  /** How long to wait for a lock held by another connection or process, in ms. Default 5000. */
  readonly busyTimeout?: number;
  /** Rows fetched per iteration page. Default 500. */
  readonly pageSize?: number;
  /** Refuse every write (`PRAGMA query_only`), e.g. for status and verify runs. Default false. */
  readonly readOnly?: boolean;
}

/** The options, checked: identifiers quoted, defaults applied. */
export interface TableConfig {
  readonly path: string;
  readonly busyTimeout: number;
  readonly pageSize: number;
  readonly readOnly: boolean;
  readonly table: string;
  readonly idColumn: string;
  readonly envelopeColumn: string;
  readonly namespace: string;
  /** Field → column name (unquoted), own properties only. */
  readonly indexColumns: ReadonlyMap<string, string>;
  readonly keyStore: VaultStore | undefined;
  readonly missingRows: 'refuse' | 'insert';
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(path: string, what: string): VaultError {
  return new VaultError('INVALID_ARGUMENT', `${path} must be ${what}`, { path });
}

/** A SQLite identifier: a non-empty string without NUL. */
function identifier(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\u0000')) {
    throw invalid(path, 'a non-empty identifier without NUL');
  }
  return value;
}

/** `name` as a quoted SQLite identifier: in double quotes, a double quote doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function whole(value: unknown, path: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw invalid(path, `a whole number ≥ ${min}`);
  return value;
}

/**
 * Checks the options of {@link sqliteTableStore}.
 * @throws VaultError `INVALID_ARGUMENT` naming the option (`path`, `table`, `idColumn`, `envelopeColumn`,
 * `namespace`, `indexColumns.<field>`, `keyStore`, `missingRows`, `busyTimeout`, `pageSize`, `readOnly`).
 */
export function tableConfig(options: SqliteTableStoreOptions): TableConfig {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'an object');
  if (typeof options.path !== 'string' || options.path === '') throw invalid('path', 'a non-empty string');
  const namespace = options.namespace ?? 'default';
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace))
    throw invalid('namespace', `a match of ${NAMESPACE.source}`);
  const indexColumns = new Map<string, string>();
  if (options.indexColumns !== undefined) {
    if (typeof options.indexColumns !== 'object' || options.indexColumns === null) {
      throw invalid('indexColumns', 'an object of field → column');
    }
    for (const [field, column] of Object.entries(options.indexColumns)) {
      const path = `indexColumns.${field}`;
      if (field === '' || field.includes(':')) throw invalid(path, 'a field name (not empty, no ":")');
      indexColumns.set(field, identifier(column, path));
    }
  }
  const idColumn = identifier(options.idColumn, 'idColumn');
  const envelopeColumn = identifier(options.envelopeColumn, 'envelopeColumn');
  if (envelopeColumn === idColumn) throw invalid('envelopeColumn', 'another column than the id column');
  // A column holds one thing: a token written over the envelope or the id would destroy the record.
  const used = new Set([idColumn, envelopeColumn]);
  for (const [field, column] of indexColumns) {
    if (used.has(column)) throw invalid(`indexColumns.${field}`, `a column of its own, not ${column}`);
    used.add(column);
  }
  const keyStore = options.keyStore;
  if (
    keyStore !== undefined &&
    (typeof keyStore !== 'object' || keyStore === null || typeof keyStore.get !== 'function')
  ) {
    throw invalid('keyStore', 'a VaultStore');
  }
  const missingRows = options.missingRows ?? 'refuse';
  if (missingRows !== 'refuse' && missingRows !== 'insert') throw invalid('missingRows', "'refuse' or 'insert'");
  if (options.readOnly !== undefined && typeof options.readOnly !== 'boolean') throw invalid('readOnly', 'a boolean');
  return {
    path: options.path,
    busyTimeout: whole(options.busyTimeout, 'busyTimeout', 5000, 0),
    pageSize: whole(options.pageSize, 'pageSize', 500, 1),
    readOnly: options.readOnly === true,
    table: identifier(options.table, 'table'),
    idColumn,
    envelopeColumn,
    namespace,
    indexColumns,
    keyStore,
    missingRows,
  };
}
