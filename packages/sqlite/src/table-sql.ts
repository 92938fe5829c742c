/**
 * The SQL of a table store, over the user's quoted table and columns. Internal.
 *
 * A row is matched by `id = ?` (the database converts the parameter to the column's type and
 * uses its index) and `CAST(id AS TEXT) = ?` byte for byte, so that an id is only ever the one
 * row whose id reads back as exactly that text: on an INTEGER id column `'01'` is not row 1,
 * and on a `COLLATE NOCASE` column `'ABC'` is not row `abc`.
 */
import { spliceHead, startsWithHead } from './sql.js';
import type { Affinity } from './table-schema.js';

/** The statements on the rows: envelope reads and writes keyed by id. */
export interface RowStatements {
  readonly get: string;
  readonly has: string;
  readonly update: string;
  readonly upsert: string;
  readonly fillIfEmpty: string;
  readonly insertIfAbsent: string;
  readonly replaceIf: string;
  readonly clearIf: string;
  readonly clear: string;
  /** `SELECT bad`: the ids (column1 of a VALUES list) that do not read back as themselves once stored; undefined when every text does. */
  readonly notCanonical: ((count: number) => string) | undefined;
  existing(count: number): string;
  getMany(count: number): string;
  updateAll(count: number): string;
  upsertMany(count: number): string;
  compareAndSetMany(count: number): string;
  replacePrefixMany(count: number): string;
  count(lower: boolean, upper: boolean): string;
  page(first: boolean, lower: boolean, upper: boolean): string;
}

/** The statements on one index column: `~ix:` entries as the column's tokens. */
export interface IndexStatements {
  readonly get: string;
  readonly has: string;
  readonly set: string;
  readonly upsert: string;
  readonly clear: string;
  readonly clearIf: string;
  readonly setIfAbsent: string;
  readonly move: string;
  count(lower: boolean, upper: boolean): string;
  page(first: boolean, lower: boolean, upper: boolean): string;
}

const list = (count: number, row: string) => Array.from({ length: count }, () => row).join(', ');

/** The row statements over table `t`, id column `i` and envelope column `e`, all quoted. */
export function rowStatements(t: string, i: string, e: string, affinity: Affinity): RowStatements {
  const id = `${t}.${i}`;
  const text = `CAST(${id} AS TEXT)`;
  const match = (p: string) => `${id} = ${p} AND ${text} = ${p} COLLATE BINARY`;
  const env = `${t}.${e}`;
  // A conflicting row is only updated when its id reads back as the text given.
  const onConflict = (set: string) => `ON CONFLICT (${i}) DO UPDATE SET ${set} WHERE ${text} = ?1 COLLATE BINARY`;
  const batch = (columns: string, count: number) =>
    `WITH batch(${columns}) AS (VALUES ${list(
      count,
      `(${columns
        .split(',')
        .map(() => '?')
        .join(', ')})`,
    )}) `;
  const recordIds = `${id} IS NOT NULL AND ${env} IS NOT NULL AND substr(${text}, 1, 1) <> '~'`;
  const range = (lower: boolean, upper: boolean) =>
    `${lower ? ` AND ${text} >= ? COLLATE BINARY` : ''}${upper ? ` AND ${text} < ? COLLATE BINARY` : ''}`;
  return {
    get: `SELECT CAST(${env} AS TEXT) AS value FROM ${t} WHERE ${match('?1')}`,
    has: `SELECT 1 AS found FROM ${t} WHERE ${match('?1')} AND ${env} IS NOT NULL LIMIT 1`,
    update: `UPDATE ${t} SET ${e} = ?2 WHERE ${match('?1')} RETURNING 1 AS done`,
    upsert: `INSERT INTO ${t} (${i}, ${e}) VALUES (?1, ?2) ${onConflict(`${e} = excluded.${e}`)} RETURNING 1 AS done`,
    fillIfEmpty: `UPDATE ${t} SET ${e} = ?2 WHERE ${match('?1')} AND ${env} IS NULL RETURNING 1 AS done`,
    insertIfAbsent: `INSERT INTO ${t} (${i}, ${e}) VALUES (?1, ?2) ON CONFLICT (${i}) DO NOTHING RETURNING 1 AS done`,
    replaceIf: `UPDATE ${t} SET ${e} = ?3 WHERE ${match('?1')} AND ${env} = ?2 COLLATE BINARY RETURNING 1 AS done`,
    clearIf: `UPDATE ${t} SET ${e} = NULL WHERE ${match('?1')} AND ${env} = ?2 COLLATE BINARY RETURNING 1 AS done`,
    clear: `UPDATE ${t} SET ${e} = NULL WHERE ${match('?1')} AND ${env} IS NOT NULL RETURNING 1 AS done`,
    notCanonical:
      affinity === 'TEXT' || affinity === 'BLOB'
        ? undefined
        : (count) =>
            `SELECT column1 AS bad FROM (VALUES ${list(count, '(?)')}) ` +
            `WHERE CAST(CAST(column1 AS ${affinity}) AS TEXT) IS NOT column1 COLLATE BINARY`,
    existing: (count) => `SELECT ${text} AS id FROM ${t} WHERE ${id} IN (${list(count, '?')})`,
    getMany: (count) =>
      `SELECT ${text} AS id, CAST(${env} AS TEXT) AS value FROM ${t} WHERE ${id} IN (${list(count, '?')}) AND ${env} IS NOT NULL`,
    // All or nothing: the update runs only when every id of the batch has its row.
    updateAll: (count) =>
      `${batch('k, v', count)}UPDATE ${t} SET ${e} = batch.v FROM batch WHERE ${id} = batch.k AND ${text} = batch.k COLLATE BINARY ` +
      `AND (SELECT count(*) FROM batch JOIN ${t} AS x ON x.${i} = batch.k AND CAST(x.${i} AS TEXT) = batch.k COLLATE BINARY) = ${count} ` +
      `RETURNING ${text} AS id`,
    upsertMany: (count) =>
      `INSERT INTO ${t} (${i}, ${e}) VALUES ${list(count, '(?, ?)')} ON CONFLICT (${i}) DO UPDATE SET ${e} = excluded.${e} ` +
      `WHERE ${text} = CAST(excluded.${i} AS TEXT) COLLATE BINARY RETURNING ${text} AS id`,
    compareAndSetMany: (count) =>
      `${batch('k, x, n', count)}UPDATE ${t} SET ${e} = batch.n FROM batch WHERE ${id} = batch.k AND ${text} = batch.k COLLATE BINARY ` +
      `AND ${env} = batch.x COLLATE BINARY RETURNING ${text} AS id`,
    replacePrefixMany: (count) =>
      `${batch('k, p, n', count)}UPDATE ${t} SET ${e} = ${spliceHead(env, 'batch.p', 'batch.n')} FROM batch ` +
      `WHERE ${id} = batch.k AND ${text} = batch.k COLLATE BINARY AND ${startsWithHead(env, 'batch.p')} RETURNING ${text} AS id`,
    count: (lower, upper) => `SELECT count(*) AS n FROM ${t} WHERE ${recordIds}${range(lower, upper)}`,
    page: (first, lower, upper) =>
      `SELECT ${text} AS key, CAST(${env} AS TEXT) AS value FROM ${t} WHERE ${recordIds}${range(lower, upper)}` +
      `${first ? '' : ` AND ${id} > ?`} ORDER BY ${id} LIMIT ?`,
  };
}

/**
 * The statements of index column `c` (quoted) of table `t` with id column `i`. A token is
 * compared byte for byte; the entries of a token held by several rows are one entry, naming
 * the row first in id order (as `get` does).
 */
export function indexStatements(t: string, i: string, c: string): IndexStatements {
  const id = `${t}.${i}`;
  const text = `CAST(${id} AS TEXT)`;
  const match = (p: string) => `${id} = ${p} AND ${text} = ${p} COLLATE BINARY`;
  const token = `${t}.${c}`;
  const tokens = (lower: boolean, upper: boolean) =>
    `FROM ${t} WHERE typeof(${token}) = 'text'${lower ? ` AND ${token} >= ? COLLATE BINARY` : ''}` +
    `${upper ? ` AND ${token} < ? COLLATE BINARY` : ''}`;
  return {
    get: `SELECT ${text} AS id FROM ${t} WHERE ${token} = ?1 COLLATE BINARY ORDER BY ${id} LIMIT 1`,
    has: `SELECT 1 AS found FROM ${t} WHERE ${token} = ?1 COLLATE BINARY LIMIT 1`,
    set: `UPDATE ${t} SET ${c} = ?2 WHERE ${match('?1')} RETURNING 1 AS done`,
    upsert:
      `INSERT INTO ${t} (${i}, ${c}) VALUES (?1, ?2) ON CONFLICT (${i}) DO UPDATE SET ${c} = excluded.${c} ` +
      `WHERE ${text} = ?1 COLLATE BINARY RETURNING 1 AS done`,
    clear: `UPDATE ${t} SET ${c} = NULL WHERE ${token} = ?1 COLLATE BINARY RETURNING 1 AS done`,
    clearIf: `UPDATE ${t} SET ${c} = NULL WHERE ${match('?1')} AND ${token} = ?2 COLLATE BINARY RETURNING 1 AS done`,
    setIfAbsent:
      `UPDATE ${t} SET ${c} = ?2 WHERE ${match('?1')} ` +
      `AND NOT EXISTS (SELECT 1 FROM ${t} AS x WHERE x.${c} = ?2 COLLATE BINARY) RETURNING 1 AS done`,
    // ?1 token, ?2 the id holding it now, ?3 the id to hold it: one statement, both rows or neither.
    move:
      `UPDATE ${t} SET ${c} = CASE WHEN ${match('?3')} THEN ?1 ELSE NULL END ` +
      `WHERE ((${match('?2')} AND ${token} = ?1 COLLATE BINARY) OR (${match('?3')})) ` +
      `AND EXISTS (SELECT 1 FROM ${t} AS x WHERE x.${i} = ?2 AND CAST(x.${i} AS TEXT) = ?2 COLLATE BINARY AND x.${c} = ?1 COLLATE BINARY) ` +
      `AND EXISTS (SELECT 1 FROM ${t} AS x WHERE x.${i} = ?3 AND CAST(x.${i} AS TEXT) = ?3 COLLATE BINARY) RETURNING 1 AS done`,
    count: (lower, upper) =>
      `SELECT count(*) AS n FROM (SELECT 1 ${tokens(lower, upper)} GROUP BY ${token} COLLATE BINARY)`,
    page: (first, lower, upper) =>
      `SELECT ${token} AS key, CAST(min(${id}) AS TEXT) AS value ${tokens(lower, upper)}` +
      `${first ? '' : ` AND ${token} > ? COLLATE BINARY`} GROUP BY ${token} COLLATE BINARY ORDER BY ${token} COLLATE BINARY LIMIT ?`,
  };
}
