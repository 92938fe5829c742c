/** SQL text and key-range helpers for the SQLite store. Internal. */

/** Rows per batch statement: at most 30,000 parameters (3 a row), under SQLite's 32,766. */
export const MAX_ROWS_PER_STATEMENT = 10_000;

/** The SQL statements of one store. */
export interface Statements {
  readonly get: string;
  readonly has: string;
  readonly set: string;
  readonly delete: string;
  readonly insertIfAbsent: string;
  readonly replaceIf: string;
  readonly deleteIf: string;
  getMany(count: number): string;
  setMany(count: number): string;
  compareAndSetMany(count: number): string;
  replacePrefixMany(count: number): string;
  count(bounded: boolean): string;
  page(first: boolean, bounded: boolean): string;
}

/** The statements of a store over `table` (already sanitized by @keyv/sqlite). */
export function statements(table: string): Statements {
  return {
    get: `SELECT value FROM ${table} WHERE key = ?`,
    has: `SELECT 1 AS found FROM ${table} WHERE key = ? LIMIT 1`,
    set: `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    delete: `DELETE FROM ${table} WHERE key = ? RETURNING key`,
    insertIfAbsent: `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING RETURNING key`,
    replaceIf: `UPDATE ${table} SET value = ? WHERE key = ? AND value = ? RETURNING key`,
    deleteIf: `DELETE FROM ${table} WHERE key = ? AND value = ? RETURNING key`,
    getMany: (count: number) => `SELECT key, value FROM ${table} WHERE key IN (${placeholders(count)})`,
    setMany: (count: number) =>
      `INSERT INTO ${table} (key, value) VALUES ${Array.from({ length: count }, () => '(?, ?)').join(', ')} ` +
      'ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    compareAndSetMany: (count: number) =>
      `WITH batch(k, e, n) AS (VALUES ${Array.from({ length: count }, () => '(?, ?, ?)').join(', ')}) ` +
      `UPDATE ${table} SET value = batch.n FROM batch WHERE ${table}.key = batch.k AND ${table}.value = batch.e RETURNING key`,
    replacePrefixMany: (count: number) =>
      `WITH batch(k, p, n) AS (VALUES ${Array.from({ length: count }, () => '(?, ?, ?)').join(', ')}) ` +
      `UPDATE ${table} SET value = ${spliceHead(`${table}.value`, 'batch.p', 'batch.n')} ` +
      `FROM batch WHERE ${table}.key = batch.k AND ${startsWithHead(`${table}.value`, 'batch.p')} RETURNING key`,
    count: (bounded: boolean) => `SELECT COUNT(*) AS n FROM ${table} WHERE key >= ?${bounded ? ' AND key < ?' : ''}`,
    page: (first: boolean, bounded: boolean) =>
      `SELECT key, value FROM ${table} WHERE key ${first ? '>=' : '>'} ?${bounded ? ' AND key < ?' : ''} ORDER BY key LIMIT ?`,
  };
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

// On the UTF-8 bytes: length() and substr() of TEXT count characters and stop at a NUL.

/** SQL: whether the text `value` starts with the text `prefix` (not empty), compared byte for byte. */
export function startsWithHead(value: string, prefix: string): string {
  return `${prefix} <> '' AND substr(CAST(${value} AS BLOB), 1, length(CAST(${prefix} AS BLOB))) = CAST(${prefix} AS BLOB)`;
}

/** SQL: the text `value` with its first `length(prefix)` bytes replaced by `next` (the head write of a rotation). */
export function spliceHead(value: string, prefix: string, next: string): string {
  return `CAST(CAST(${next} AS BLOB) || substr(CAST(${value} AS BLOB), length(CAST(${prefix} AS BLOB)) + 1) AS TEXT)`;
}
