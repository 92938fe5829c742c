import {
  type CompleteStore,
  checkDistinctKeys,
  keysetEntries,
  type Lease,
  prefixEnd,
  VaultError,
} from '@credvault/core';
import { KeyvPostgres } from '@keyv/postgres';
import type pg from 'pg';
import { openPool, type PostgresConnection, tableFromUrl } from './connection.js';
import { takeLease } from './lease.js';
import { poolRunner, type Query } from './runner.js';
import { IDENTIFIER, statements } from './sql.js';
import { ensureTables } from './table.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * Table name (a lowercase SQL identifier). Default: the URL's `?table=`, else `credvault`.
   * Leases go to `<table>_leases`.
   */
  readonly table?: string;
  /** Schema (a lowercase SQL identifier), created if missing. Default: the URL's `?schema=`, else `public`. */
  readonly schema?: string;
  /** TLS options for the pool the store creates from `url` (as `pg`'s `ssl`). Configure your own pool's TLS yourself. */
  readonly ssl?: pg.PoolConfig['ssl'];
  /** Longest any one operation may take before it rejects with `STORE_FAILED`, in ms. Default 5000. */
  readonly timeout?: number;
  /** Connections of the pool the store creates from `url`. Default 10. */
  readonly max?: number;
  /** Rows fetched per iteration page. Default 500. */
  readonly pageSize?: number;
}

/** A PostgreSQL {@link VaultStore}, with the `@keyv/postgres` adapter underneath. */
export interface PostgresStore extends CompleteStore {
  /** The adapter over the same table and pool: `adapter.query(sql, values)` runs any SQL. */
  readonly adapter: KeyvPostgres;
  /** The pool the store queries through (yours, or the one it created from `url`). */
  readonly pool: pg.Pool;
  lease(name: string, ttlMs: number): Promise<Lease | undefined>;
}

type Row = { key: string; value: string };
const MAX_ROWS_PER_STATEMENT = 10_000;

/** A row of a page, made by a constructor: a literal's allocation site can be pretenured, and then each row would keep its value alive until a full collection. */
class DetachedRow implements Row {
  constructor(
    public key: string,
    public value: string,
  ) {}
}

/**
 * A page's rows as new objects, pg's own emptied. Left to pg's row objects, every value string of a
 * scan outlived V8's young generation and was promoted (a bare scan of 100,000 rows promoted
 * 135-150 MB on the main thread, though only the page being handed out and the one read ahead were
 * live), which grew a long scan's peak RSS by ~50 MB over a short one's; emptied, ~3 MB was.
 */
function detached(rows: Row[]): Row[] {
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    out[i] = new DetachedRow(row.key, row.value);
    row.key = '';
    row.value = '';
  }
  rows.length = 0;
  return out;
}

/**
 * The system-of-record store: PostgreSQL over `@keyv/postgres`, for many service instances.
 * Compare-and-set is one `UPDATE ... WHERE key = $1 AND value = $3`: the row the primary key
 * finds is compared with the value the caller read, whoever wrote it. Batches are one statement
 * per 10,000 rows (`UNNEST` arrays), each row atomic; iteration walks keyset pages in byte
 * order (`COLLATE "C"`), so each record is yielded once while others are written; `count` is
 * exact; leases are rows with an owner token and a server-clock expiry.
 *
 * Tables are created on first use if missing (safe when many instances start at once). Pass
 * `{ pool }` to share your application's `pg.Pool`: the store never ends a pool it did not create.
 *
 * A server that stops, crashes or restarts never takes the process down: every client the store
 * has checked out listens for `'error'` and is discarded once its connection fails, and the pool
 * it creates from `url` listens for its idle clients' errors (attach that listener to your own
 * pool yourself). Calls fail with `STORE_FAILED` meanwhile and succeed again once it is back.
 *
 * @example
 * ```ts
 * const vault = createVault({ store: postgresStore({ url: 'postgres://app:secret@db:5432/app' }), keyring, schema })
 * ```
 * @throws VaultError `INVALID_ARGUMENT` at once for a bad url, table or schema name; `STORE_FAILED`
 * from every operation when PostgreSQL fails or times out, saying why (server down, wrong
 * password, missing database, read-only, statement timeout, pool exhausted, ...).
 */
export function postgresStore(connection: PostgresConnection, options: PostgresStoreOptions = {}): PostgresStore {
  const named = tableFromUrl(connection);
  const { timeout = 5000, pageSize = 500, max = 10 } = options;
  const table = options.table ?? named.table ?? 'credvault';
  const schema = options.schema ?? named.schema ?? 'public';
  for (const [path, name] of [
    ['table', table],
    ['schema', schema],
  ] as const) {
    if (!IDENTIFIER.test(name)) {
      throw new VaultError('INVALID_ARGUMENT', `${path} must be a lowercase SQL identifier ([a-z_][a-z0-9_]*)`, {
        path,
      });
    }
  }
  const opened = openPool(named.connection, { ssl: options.ssl, timeout, max });
  const { pool } = opened;
  const sql = statements(schema, table);
  const runner = poolRunner(opened, timeout, (ms) => ensureTables(pool, sql, ms));
  const { run } = runner;
  class Adapter extends KeyvPostgres {
    override async connect(): Promise<Query> {
      // Every adapter query runs on this store's pool, after its tables exist, within the timeout.
      return runner.query;
    }
    override async disconnect(): Promise<void> {
      await store.close();
    }
  }
  const adapter = new Adapter({ table, schema, dialect: 'postgres' });
  adapter.on('error', () => {}); // its own CREATE TABLE IF NOT EXISTS may fail (read-only): ours decides

  const changed = (rows: unknown[]) => rows.length > 0;
  /**
   * Runs `text`, an UPDATE … FROM UNNEST of three text columns that returns the key of each row
   * it changed, over `entries` (distinct keys: it applies one row per key) in chunks; whether each
   * entry's key was changed, in order.
   */
  const batchUpdate = async (
    operation: string,
    text: string,
    entries: readonly (readonly [string, string, string])[],
  ): Promise<boolean[]> => {
    checkDistinctKeys(entries, operation);
    return run(operation, async (query) => {
      const written = new Set<string>();
      for (let i = 0; i < entries.length; i += MAX_ROWS_PER_STATEMENT) {
        const chunk = entries.slice(i, i + MAX_ROWS_PER_STATEMENT);
        const columns = [chunk.map((e) => e[0]), chunk.map((e) => e[1]), chunk.map((e) => e[2])];
        for (const row of (await query(text, columns)) as Row[]) written.add(row.key);
      }
      return entries.map(([key]) => written.has(key));
    });
  };

  const store: PostgresStore = {
    name: 'postgres',
    adapter,
    pool,
    get: (key) => run('get', async (query) => ((await query(sql.get, [key])) as Row[])[0]?.value),
    set: (key, value) => run('set', async (query) => void (await query(sql.set, [key, value]))),
    delete: (key) => run('delete', async (query) => changed(await query(sql.delete, [key]))),
    has: (key) => run('has', async (query) => changed(await query(sql.has, [key]))),
    compareAndSet: (key, expected, next) =>
      run('compareAndSet', async (query) => {
        if (expected === undefined) {
          return next === undefined
            ? !changed(await query(sql.has, [key]))
            : changed(await query(sql.insertIfAbsent, [key, next]));
        }
        return next === undefined
          ? changed(await query(sql.deleteIf, [key, expected]))
          : changed(await query(sql.replaceIf, [key, next, expected]));
      }),
    compareAndSetMany: (entries) => batchUpdate('compareAndSetMany', sql.compareAndSetMany, entries),
    replacePrefixMany: (entries) => batchUpdate('replacePrefixMany', sql.replacePrefixMany, entries),
    count: (prefix) =>
      run('count', async (query) => {
        const end = prefixEnd(prefix);
        const rows = (await query(sql.count(end !== undefined), end === undefined ? [prefix] : [prefix, end])) as {
          n: string;
        }[];
        return Number(rows[0]?.n ?? 0);
      }),
    getMany: (keys) =>
      run('getMany', async (query) => {
        const found = new Map<string, string>();
        for (let i = 0; i < keys.length; i += MAX_ROWS_PER_STATEMENT) {
          for (const row of (await query(sql.getMany, [keys.slice(i, i + MAX_ROWS_PER_STATEMENT)])) as Row[])
            found.set(row.key, row.value);
        }
        return keys.map((key) => found.get(key));
      }),
    setMany: (entries) =>
      run('setMany', async (query) => {
        const last = [...new Map(entries).entries()]; // one row per key: the last value wins
        for (let i = 0; i < last.length; i += MAX_ROWS_PER_STATEMENT) {
          const chunk = last.slice(i, i + MAX_ROWS_PER_STATEMENT);
          await query(sql.setMany, [chunk.map((e) => e[0]), chunk.map((e) => e[1])]);
        }
      }),
    entries(prefix) {
      const end = prefixEnd(prefix);
      return keysetEntries(prefix, pageSize, (cursor, first) =>
        run('iterate', async (query) =>
          detached(
            (await query(
              sql.page(first, end !== undefined),
              end === undefined ? [cursor, pageSize] : [cursor, pageSize, end],
            )) as Row[],
          ),
        ),
      );
    },
    lease: (name, ttlMs) => takeLease({ run, sql }, name, ttlMs),
    close: () => runner.close(),
  };
  return store;
}
