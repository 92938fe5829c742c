/** SQL text and key-range helpers for the PostgreSQL store. Internal. */

/** Names the store accepts for its schema and table: plain lowercase SQL identifiers. */
export const IDENTIFIER: RegExp = /^[a-z_][a-z0-9_]{0,62}$/;

/** The SQL statements of one store over `"schema"."table"`. */
export interface Statements {
  /** Whether the table exists (`to_regclass`), so an existing table is never touched by DDL. */
  readonly exists: string;
  /** Creates schema, table and lease table; run under {@link Statements.ddlLock}. */
  readonly create: readonly string[];
  /** Transaction-scoped advisory lock that serializes table creation between instances. */
  readonly ddlLock: string;
  readonly get: string;
  readonly has: string;
  readonly set: string;
  readonly delete: string;
  readonly insertIfAbsent: string;
  readonly replaceIf: string;
  readonly deleteIf: string;
  readonly getMany: string;
  readonly setMany: string;
  readonly compareAndSetMany: string;
  readonly replacePrefixMany: string;
  count(bounded: boolean): string;
  /** One keyset page: keys after the cursor (from it, on the first page), below the prefix end when bounded. */
  page(first: boolean, bounded: boolean): string;
  readonly takeLease: string;
  readonly releaseLease: string;
  readonly extendLease: string;
}

/** The statements of a store; `schema` and `table` match {@link IDENTIFIER}. */
export function statements(schema: string, table: string): Statements {
  const t = `"${schema}"."${table}"`;
  const leases = `"${schema}"."${table}_leases"`;
  return {
    exists: `SELECT to_regclass('${t}') IS NOT NULL AND to_regclass('${leases}') IS NOT NULL AS found`,
    ddlLock: `SELECT pg_advisory_xact_lock(hashtextextended('credvault ddl ${schema}.${table}', 0))`,
    create: [
      `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
      `CREATE TABLE IF NOT EXISTS ${t} (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${leases} (` +
        'name text COLLATE "C" PRIMARY KEY, token text NOT NULL, expires_at timestamptz NOT NULL)',
    ],
    get: `SELECT value FROM ${t} WHERE key = $1`,
    has: `SELECT 1 FROM ${t} WHERE key = $1`,
    set: `INSERT INTO ${t} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    delete: `DELETE FROM ${t} WHERE key = $1 RETURNING 1`,
    insertIfAbsent: `INSERT INTO ${t} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING 1`,
    replaceIf: `UPDATE ${t} SET value = $2 WHERE key = $1 AND value = $3 RETURNING 1`,
    deleteIf: `DELETE FROM ${t} WHERE key = $1 AND value = $2 RETURNING 1`,
    getMany: `SELECT key, value FROM ${t} WHERE key = ANY($1::text[])`,
    setMany:
      `INSERT INTO ${t} (key, value) SELECT * FROM UNNEST($1::text[], $2::text[]) ` +
      'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    compareAndSetMany:
      `UPDATE ${t} AS t SET value = b.n FROM UNNEST($1::text[], $2::text[], $3::text[]) AS b(k, e, n) ` +
      'WHERE t.key = b.k AND t.value = b.e RETURNING t.key',
    replacePrefixMany:
      `UPDATE ${t} AS t SET value = b.n || substr(t.value, length(b.p) + 1) ` +
      'FROM UNNEST($1::text[], $2::text[], $3::text[]) AS b(k, p, n) ' +
      "WHERE t.key = b.k AND b.p <> '' AND left(t.value, length(b.p)) = b.p RETURNING t.key",
    count: (bounded) => `SELECT count(*) AS n FROM ${t} WHERE key >= $1${bounded ? ' AND key < $2' : ''}`,
    page: (first, bounded) =>
      `SELECT key, value FROM ${t} WHERE key ${first ? '>=' : '>'} $1${bounded ? ' AND key < $3' : ''} ORDER BY key LIMIT $2`,
    takeLease:
      `INSERT INTO ${leases} AS l (name, token, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond') ` +
      'ON CONFLICT (name) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at ' +
      'WHERE l.expires_at <= clock_timestamp() RETURNING 1',
    releaseLease: `DELETE FROM ${leases} WHERE name = $1 AND token = $2 AND expires_at > clock_timestamp() RETURNING 1`,
    extendLease:
      `UPDATE ${leases} SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' ` +
      'WHERE name = $1 AND token = $2 AND expires_at > clock_timestamp() RETURNING 1',
  };
}
