import { type CompleteStore, type Lease, VaultError, type VaultStore } from '@credvault/core';
import { configureConnection, openConnection, runner } from './connection.js';
import { sqliteError } from './errors.js';
import { indexOperations } from './table-index.js';
import { routeKey } from './table-keys.js';
import { quoteIdentifier, type SqliteTableStoreOptions, tableConfig } from './table-options.js';
import { tableParts } from './table-parts.js';
import { rowOperations, type TableState } from './table-rows.js';
import { checkTable } from './table-schema.js';
import { rowStatements } from './table-sql.js';

/**
 * A {@link VaultStore} over a table the application already has, e.g. `connections(id text
 * primary key, user_id text, auth text, auth_token_ix text)`: the records of one vault
 * namespace are the envelope column of its rows, the blind-index entries of the fields in
 * `indexColumns` are tokens in those columns, and every other key (the namespace's
 * `~index-key`, tenant keys, leases, other namespaces) goes to `keyStore`. Every vault
 * operation (`set`, `get`, `rotate` with head-only writes, `status`, `verify`, `entries`,
 * `findBy`, `refresh`) works on it, and nothing is ever created in the database: no table,
 * index or column, not even the file (it must exist).
 *
 * - A key `<namespace>:<id>` is the row whose id column equals `id` and reads back as exactly
 *   that text (`CAST(id AS TEXT)`): on an INTEGER id column, `'10'` is row 10 but `'01'` is no
 *   row (a `set` of it is `INVALID_ARGUMENT` under `missingRows: 'insert'`, `NOT_FOUND` else).
 * - `set` updates the envelope of an existing row; an id without a row is `NOT_FOUND`, or
 *   under `missingRows: 'insert'` an INSERT of (id, envelope): the other columns must then
 *   have defaults or be nullable. `delete` sets the envelope to NULL and keeps the row.
 * - `entries('<namespace>:')` pages the table in id order (keyset, never OFFSET; rows whose
 *   envelope is NULL are absent), then yields `keyStore`'s entries under the same prefix.
 * - The table and columns are checked at open (first use): the id column must be the
 *   primary key or have a single-column unique index.
 * - `close()` closes the table store's own connection, not `keyStore`: close that yourself.
 *
 * @example
 * ```ts
 * const store = sqliteTableStore({
 *   path: './app.db', table: 'connections', idColumn: 'id', envelopeColumn: 'auth',
 *   indexColumns: { accessToken: 'auth_token_ix' }, keyStore: sqliteStore({ path: './vault.db' }),
 * })
 * const vault = createVault({ store, keyring, schema, index: ['accessToken'] })
 * ```
 * @throws VaultError `INVALID_ARGUMENT` (here) for a bad option or identifier (empty, NUL), and
 * (on first use) for a missing table or column, with `path` `table`, `idColumn`,
 * `envelopeColumn` or `indexColumns.<field>`; `NOT_FOUND` from a write to an id without a row
 * under `missingRows: 'refuse'`; `UNSUPPORTED` (path `keyStore`) for a key outside the table
 * without `keyStore`; `STORE_FAILED` when SQLite fails.
 */
// Over 80 lines: the routing of each single-key method is spelled out, one line per part.

export function sqliteTableStore(options: SqliteTableStoreOptions): CompleteStore {
  const config = tableConfig(options);
  const { path, namespace, keyStore, indexColumns } = config;
  const [t, i, e] = [config.table, config.idColumn, config.envelopeColumn].map(quoteIdentifier) as [
    string,
    string,
    string,
  ];
  const connection = openConnection(path, config.busyTimeout, false);
  connection.catch(() => {}); // reported by the first operation
  const state: Promise<TableState> = connection.then(async ({ query }) => {
    await configureConnection(query, path, config.readOnly);
    const affinity = await checkTable(query, config);
    return { query, rows: rowStatements(t, i, e, affinity) };
  });
  const run = runner(path, state);
  const rows = rowOperations(config, run, state);
  const index = indexOperations(config, run, state, rows);
  const route = (key: string) => routeKey(key, namespace, indexColumns);
  const other = (method: keyof VaultStore): VaultStore => {
    if (keyStore === undefined) {
      throw new VaultError(
        'UNSUPPORTED',
        `the table store keeps only records and index columns; ${method} of another key needs keyStore: ` +
          'pass keyStore: the vault keeps its index key / tenant keys / leases there',
        { path: 'keyStore' },
      );
    }
    if (typeof keyStore[method] !== 'function') {
      throw new VaultError('UNSUPPORTED', `keyStore (${keyStore.name}) has no ${method}`, { path: 'keyStore' });
    }
    return keyStore;
  };
  const parts = tableParts(config, rows, index, other);

  const store: CompleteStore = {
    name: 'sqlite-table',
    get(key) {
      const at = route(key);
      if (at.kind === 'row') return rows.get(at.id);
      if (at.kind === 'index') return index.get(at.column, at.mac);
      return other('get').get(key);
    },
    set(key, value) {
      const at = route(key);
      if (at.kind === 'row') return rows.set(at.id, value);
      if (at.kind === 'index') return index.set(at.column, at.mac, value);
      return other('set').set(key, value);
    },
    delete(key) {
      const at = route(key);
      if (at.kind === 'row') return rows.clear(at.id);
      if (at.kind === 'index') return index.clear(at.column, at.mac);
      return other('delete').delete(key);
    },
    has(key) {
      const at = route(key);
      if (at.kind === 'row') return rows.has(at.id);
      if (at.kind === 'index') return index.has(at.column, at.mac);
      return other('has').has(key);
    },
    compareAndSet(key, expected, next) {
      const at = route(key);
      if (at.kind === 'row') return rows.compareAndSet(at.id, expected, next);
      if (at.kind === 'index') return index.compareAndSet(at.column, at.mac, expected, next);
      const ks = other('compareAndSet');
      return (ks.compareAndSet as NonNullable<VaultStore['compareAndSet']>).call(ks, key, expected, next);
    },
    getMany: (keys) => parts.getMany(keys, store),
    setMany: (entries) => parts.setMany(entries, store),
    compareAndSetMany: (entries) => parts.batch('compareAndSetMany', entries, store),
    replacePrefixMany: (entries) => parts.batch('replacePrefixMany', entries, store),
    count: (prefix) => parts.count(prefix),
    entries: (prefix) => parts.entries(prefix),
    close: async () => {
      const open = await connection.catch(() => undefined); // nothing to close when it never opened
      await open?.close().catch((error: unknown) => {
        throw sqliteError('close', path, error);
      });
    },
  };
  const lease = keyStore?.lease;
  if (lease !== undefined) {
    return {
      ...store,
      lease: (name: string, ttlMs: number): Promise<Lease | undefined> => lease.call(keyStore, name, ttlMs),
    };
  }
  return store;
}
