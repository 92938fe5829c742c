import { type CompleteStore, checkDistinctKeys, keysetEntries, type Lease, prefixEnd } from '@credvault/core';
import { KeyvSqlite } from '@keyv/sqlite';
import { configureConnection, runner } from './connection.js';
import { takeLease } from './lease.js';
import { MAX_ROWS_PER_STATEMENT, statements } from './sql.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file, or `:memory:`. Created if missing. */
  readonly path: string;
  /** Table name. Default `credvault`. */
  readonly table?: string;
  /** How long to wait for a lock held by another connection or process, in ms. Default 5000. */
  readonly busyTimeout?: number;
  /** Rows fetched per iteration page. Default 500. */
  readonly pageSize?: number;
  /** Refuse every write (`PRAGMA query_only`), e.g. for status and verify runs. Default false. */
  readonly readOnly?: boolean;
}

/** A SQLite {@link VaultStore}, with the `@keyv/sqlite` adapter underneath. */
export interface SqliteStore extends CompleteStore {
  /** The adapter, for direct SQL (`adapter.query`). */
  readonly adapter: KeyvSqlite;
  /**
   * Takes the lease `name` for `ttlMs` (rows of `<table>_leases`, shared by every process on
   * the file): `undefined` while another owner holds it.
   */
  lease(name: string, ttlMs: number): Promise<Lease | undefined>;
}

type Row = { key: string; value: string };

/**
 * The embedded store: a SQLite file in WAL mode over `@keyv/sqlite`, with an atomic
 * compare-and-set (one `UPDATE ... WHERE value = ? RETURNING`), batched writes in one
 * statement (one transaction) per 10,000 entries, iteration in key order by keyset
 * pagination, which yields each record once even while others are written, and leases (rows of
 * `<table>_leases` with an owner token and an expiry, taken in one statement).
 *
 * Values are stored as the raw envelope strings, not in Keyv's serialized form.
 *
 * @example
 * ```ts
 * const vault = createVault({ store: sqliteStore({ path: './vault.db' }), keyring, schema })
 * ```
 * @throws VaultError `STORE_FAILED` from every operation when SQLite fails, with the reason
 * (locked, read-only, cannot open, ...) in the message.
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { path, busyTimeout = 5000, pageSize = 500 } = options;
  const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, table: options.table ?? 'credvault', busyTimeout });
  adapter.on('error', () => {}); // failures reach the caller through the rejected query instead
  const sql = statements(adapter.opts.table as string);
  const query = adapter.query;
  const run = runner(path, configureConnection(query, path, options.readOnly === true));
  const changed = (rows: unknown[]) => rows.length > 0;
  /**
   * Runs `statement`, an UPDATE … FROM a batch of `[key, a, b]` rows that returns the key of each
   * row it changed, over `entries` (distinct keys: it applies one row per key) in chunks; whether
   * each entry's key was changed, in order.
   */
  const batchUpdate = async (
    operation: string,
    statement: (count: number) => string,
    entries: readonly (readonly [string, string, string])[],
  ): Promise<boolean[]> => {
    checkDistinctKeys(entries, operation);
    return run(operation, async () => {
      const written = new Set<string>();
      for (let i = 0; i < entries.length; i += MAX_ROWS_PER_STATEMENT) {
        const chunk = entries.slice(i, i + MAX_ROWS_PER_STATEMENT);
        for (const row of (await query(statement(chunk.length), chunk.flat())) as Row[]) written.add(row.key);
      }
      return entries.map(([key]) => written.has(key));
    });
  };

  return {
    name: 'sqlite',
    adapter,
    get: (key) => run('get', async () => ((await query(sql.get, [key])) as Row[])[0]?.value),
    set: (key, value) => run('set', async () => void (await query(sql.set, [key, value]))),
    delete: (key) => run('delete', async () => changed(await query(sql.delete, [key]))),
    has: (key) => run('has', async () => changed(await query(sql.has, [key]))),
    compareAndSet: (key, expected, next) =>
      run('compareAndSet', async () => {
        if (expected === undefined) {
          return next === undefined
            ? !changed(await query(sql.has, [key]))
            : changed(await query(sql.insertIfAbsent, [key, next]));
        }
        return next === undefined
          ? changed(await query(sql.deleteIf, [key, expected]))
          : changed(await query(sql.replaceIf, [next, key, expected]));
      }),
    compareAndSetMany: (entries) => batchUpdate('compareAndSetMany', sql.compareAndSetMany, entries),
    replacePrefixMany: (entries) => batchUpdate('replacePrefixMany', sql.replacePrefixMany, entries),
    count: (prefix) =>
      run('count', async () => {
        const end = prefixEnd(prefix);
        const rows = (await query(sql.count(end !== undefined), end === undefined ? [prefix] : [prefix, end])) as {
          n: number;
        }[];
        return rows[0]?.n ?? 0;
      }),
    getMany: (keys) =>
      run('getMany', async () => {
        const found = new Map<string, string>();
        for (let i = 0; i < keys.length; i += MAX_ROWS_PER_STATEMENT) {
          const chunk = keys.slice(i, i + MAX_ROWS_PER_STATEMENT);
          for (const row of (await query(sql.getMany(chunk.length), chunk)) as Row[]) found.set(row.key, row.value);
        }
        return keys.map((key) => found.get(key));
      }),
    setMany: (entries) =>
      run('setMany', async () => {
        for (let i = 0; i < entries.length; i += MAX_ROWS_PER_STATEMENT) {
          const chunk = entries.slice(i, i + MAX_ROWS_PER_STATEMENT);
          await query(sql.setMany(chunk.length), chunk.flat());
        }
      }),
    entries(prefix) {
      const end = prefixEnd(prefix);
      return keysetEntries(prefix, pageSize, (cursor, first) =>
        run(
          'iterate',
          async () =>
            (await query(
              sql.page(first, end !== undefined),
              end === undefined ? [cursor, pageSize] : [cursor, end, pageSize],
            )) as Row[],
        ),
      );
    },
    lease: (name, ttlMs) => takeLease({ run, query, table: `${adapter.opts.table as string}_leases` }, name, ttlMs),
    close: () => run('close', () => adapter.disconnect()),
  };
}
