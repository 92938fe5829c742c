/** SQL text of the table store over a user's own table. Internal. */
import { VaultError } from '@credvault/core';

/** PostgreSQL truncates longer identifiers (NAMEDATALEN - 1), which could name another table. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * Checks one identifier as the user wrote it (any character but NUL, 1 to 63 bytes of UTF-8).
 * @throws VaultError `INVALID_ARGUMENT` naming `path`.
 */
export function checkIdentifier(name: unknown, path: string): asserts name is string {
  if (typeof name !== 'string' || name === '' || name.includes('\u0000')) {
    throw new VaultError('INVALID_ARGUMENT', `${path} must be a non-empty name without U+0000`, { path });
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new VaultError('INVALID_ARGUMENT', `${path} must be at most ${MAX_IDENTIFIER_BYTES} bytes (UTF-8)`, { path });
  }
}

/** An identifier quoted for SQL: `"name"`, an inner `"` doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The quoted table of a `table` option: `app.connections` is table `connections` in schema
 * `app` (split at the first dot); a name without a dot is found through the `search_path`.
 * Case and every other character are kept as written.
 * @throws VaultError `INVALID_ARGUMENT` (path `table`) for an empty, too long or NUL-holding part.
 */
export function quoteTable(table: unknown): string {
  checkIdentifier(table, 'table');
  const dot = table.indexOf('.');
  if (dot === -1) return quoteIdentifier(table);
  const [schema, name] = [table.slice(0, dot), table.slice(dot + 1)];
  checkIdentifier(schema, 'table');
  checkIdentifier(name, 'table');
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

/** The resolved names of a table store: quoted identifiers and the id column's type. */
export interface TableNames {
  /** `"schema"."table"` as found in the catalog. */
  readonly table: string;
  readonly id: string;
  readonly envelope: string;
  /** The id column's type by its catalog name, without modifier (`pg_catalog.uuid`, `pg_catalog.int8`, `pg_catalog.bpchar`). */
  readonly idType: string;
  /** The id column's type as SQL shows it (`uuid`, `character(8)`), for messages. */
  readonly idTypeName: string;
}

/** The statements over the envelope column. */
export interface RowStatements {
  readonly get: string;
  readonly has: string;
  readonly update: string;
  readonly upsert: string;
  readonly delete: string;
  readonly fillIfNull: string;
  readonly upsertIfNull: string;
  readonly replaceIf: string;
  readonly clearIf: string;
  readonly getMany: string;
  readonly updateMany: string;
  readonly upsertMany: string;
  readonly compareAndSetMany: string;
  readonly replacePrefixMany: string;
  count(filtered: boolean): string;
  page(filtered: boolean, after: boolean): string;
}

/**
 * `alias.id` equals the text parameter: compared in the column's type (`=` uses its index), and
 * its text form must be the parameter itself, so `0042` is not row 42 and each row has one key.
 */
function idIs(n: TableNames, alias: string, param: string): string {
  return `${alias}.${n.id} = ${param}::text::${n.idType} AND ${alias}.${n.id}::text = ${param}::text`;
}

/** A one-row source of the id parameter `$1`, empty when `$1` is not the column's text form. */
function oneId(n: TableNames): string {
  return `(SELECT $1::text::${n.idType} AS id) AS v WHERE v.id::text = $1::text`;
}

/** The statements of a table store over the envelope column. Every id is passed as text. */
export function rowStatements(n: TableNames): RowStatements {
  const { table: t, envelope: e, id } = n;
  const units = 'UNNEST($1::text[], $2::text[], $3::text[]) AS b(k, x, y)';
  return {
    get: `SELECT t.${e}::text AS v FROM ${t} AS t WHERE ${idIs(n, 't', '$1')}`,
    has: `SELECT 1 FROM ${t} AS t WHERE ${idIs(n, 't', '$1')} AND t.${e} IS NOT NULL`,
    update: `UPDATE ${t} AS t SET ${e} = $2 WHERE ${idIs(n, 't', '$1')} RETURNING 1`,
    upsert:
      `INSERT INTO ${t} AS t (${id}, ${e}) SELECT v.id, $2::text FROM ${oneId(n)} ` +
      `ON CONFLICT (${id}) DO UPDATE SET ${e} = excluded.${e} RETURNING 1`,
    delete: `UPDATE ${t} AS t SET ${e} = NULL WHERE ${idIs(n, 't', '$1')} AND t.${e} IS NOT NULL RETURNING 1`,
    fillIfNull: `UPDATE ${t} AS t SET ${e} = $2 WHERE ${idIs(n, 't', '$1')} AND t.${e} IS NULL RETURNING 1`,
    upsertIfNull:
      `INSERT INTO ${t} AS t (${id}, ${e}) SELECT v.id, $2::text FROM ${oneId(n)} ` +
      `ON CONFLICT (${id}) DO UPDATE SET ${e} = excluded.${e} WHERE t.${e} IS NULL RETURNING 1`,
    replaceIf: `UPDATE ${t} AS t SET ${e} = $2 WHERE ${idIs(n, 't', '$1')} AND t.${e}::text = $3 RETURNING 1`,
    clearIf: `UPDATE ${t} AS t SET ${e} = NULL WHERE ${idIs(n, 't', '$1')} AND t.${e}::text = $2 RETURNING 1`,
    getMany:
      `SELECT b.k, t.${e}::text AS v FROM UNNEST($1::text[]) AS b(k) JOIN ${t} AS t ON ${idIs(n, 't', 'b.k')} ` +
      `WHERE t.${e} IS NOT NULL`,
    updateMany:
      `UPDATE ${t} AS t SET ${e} = b.v FROM UNNEST($1::text[], $2::text[]) AS b(k, v) ` +
      `WHERE ${idIs(n, 't', 'b.k')} RETURNING b.k`,
    upsertMany:
      `INSERT INTO ${t} AS t (${id}, ${e}) SELECT b.k::${n.idType}, b.v FROM UNNEST($1::text[], $2::text[]) AS b(k, v) ` +
      `WHERE (b.k::${n.idType})::text = b.k ON CONFLICT (${id}) DO UPDATE SET ${e} = excluded.${e} RETURNING t.${id}::text AS k`,
    compareAndSetMany:
      `UPDATE ${t} AS t SET ${e} = b.y FROM ${units} ` +
      `WHERE ${idIs(n, 't', 'b.k')} AND t.${e}::text = b.x RETURNING b.k`,
    replacePrefixMany:
      `UPDATE ${t} AS t SET ${e} = b.y || substr(t.${e}::text, length(b.x) + 1) FROM ${units} ` +
      `WHERE ${idIs(n, 't', 'b.k')} AND b.x <> '' AND left(t.${e}::text, length(b.x)) = b.x RETURNING b.k`,
    count: (filtered) =>
      `SELECT count(*) AS n FROM ${t} AS t WHERE t.${e} IS NOT NULL${filtered ? ` AND starts_with(t.${id}::text, $1)` : ''}`,
    page: (filtered, after) => {
      const f = filtered ? ` AND starts_with(t.${id}::text, $2)` : '';
      const a = after ? ` AND t.${id} > $${filtered ? 3 : 2}::text::${n.idType}` : '';
      return `SELECT t.${id}::text AS id, t.${e}::text AS v FROM ${t} AS t WHERE t.${e} IS NOT NULL${f}${a} ORDER BY t.${id} LIMIT $1`;
    },
  };
}

/** The statements over one blind-index column (`column` quoted). */
export interface IndexStatements {
  readonly lookup: string;
  readonly has: string;
  readonly update: string;
  readonly upsert: string;
  readonly clearIf: string;
  readonly clear: string;
  count(filtered: boolean): string;
  page(filtered: boolean, after: boolean): string;
}

/** The statements of one index column: its value is the entry's HMAC, the row's id the entry's value. */
export function indexStatements(n: TableNames, column: string): IndexStatements {
  const { table: t, id } = n;
  const c = column;
  return {
    lookup: `SELECT t.${id}::text AS id FROM ${t} AS t WHERE t.${c} = $1 ORDER BY t.${id} LIMIT 1`,
    has: `SELECT 1 FROM ${t} AS t WHERE t.${c} = $1 LIMIT 1`,
    update: `UPDATE ${t} AS t SET ${c} = $2 WHERE ${idIs(n, 't', '$1')} RETURNING 1`,
    upsert:
      `INSERT INTO ${t} AS t (${id}, ${c}) SELECT v.id, $2::text FROM ${oneId(n)} ` +
      `ON CONFLICT (${id}) DO UPDATE SET ${c} = excluded.${c} RETURNING 1`,
    clearIf: `UPDATE ${t} AS t SET ${c} = NULL WHERE ${idIs(n, 't', '$1')} AND t.${c} = $2 RETURNING 1`,
    clear: `UPDATE ${t} AS t SET ${c} = NULL WHERE t.${c} = $1 RETURNING 1`,
    count: (filtered) =>
      `SELECT count(*) AS n FROM ${t} AS t WHERE t.${c} IS NOT NULL${filtered ? ` AND starts_with(t.${c}::text, $1)` : ''}`,
    page: (filtered, after) => {
      const f = filtered ? ` AND starts_with(t.${c}::text, $2)` : '';
      const [m, i] = filtered ? [3, 4] : [2, 3];
      const a = after ? ` AND (t.${c}::text, t.${id}) > ($${m}::text, $${i}::text::${n.idType})` : '';
      return (
        `SELECT t.${c}::text AS mac, t.${id}::text AS id FROM ${t} AS t WHERE t.${c} IS NOT NULL${f}${a} ` +
        `ORDER BY t.${c}::text, t.${id} LIMIT $1`
      );
    },
  };
}
