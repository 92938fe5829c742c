import type { CompleteStore, Lease, VaultStore } from '@credvault/core';
import type pg from 'pg';
import { openPool } from './connection.js';
import { poolRunner, type Query } from './runner.js';
import { batchOps } from './table-batch.js';
import { resolveTable } from './table-catalog.js';
import { tableCount, tableEntries } from './table-entries.js';
import { countOf, keyStoreOf } from './table-key-store.js';
import { hasTablePart, keyLayout, planPrefix } from './table-keys.js';
import { checkSettings, type PostgresTableStoreOptions } from './table-options.js';
import type { Compiled } from './table-rows.js';
import { singleOps } from './table-single.js';
import { indexStatements, quoteIdentifier, quoteTable, rowStatements } from './table-sql.js';

export type { PostgresTableStoreOptions, TableStoreSettings } from './table-options.js';

/** A {@link VaultStore} over your own table: see {@link postgresTableStore}. */
export interface PostgresTableStore extends CompleteStore {
  /** The pool the store queries through (yours, or the one it created from `url`). */
  readonly pool: pg.Pool;
}

/**
 * A store over a table you already have (e.g. `connections`): each record is the envelope
 * column of the row whose id column is the record id; nothing is ever created in your schema
 * (no table, column or index). The table and columns are checked on first use.
 *
 * - `<namespace>:<id>` ↔ the envelope column of row `id` (NULL: no record). `set` updates the
 *   row (`NOT_FOUND` when there is none, unless `missingRows: 'insert'`); `delete` sets the
 *   column to NULL and keeps the row. Ids are compared in the column's type (its index is
 *   used) and must be its text form (`42`, not `0042`; lowercase uuids).
 * - `~ix:<namespace>:<field>:<mac>` of a field in `indexColumns` ↔ that column of the row.
 * - everything else (the index key, tenant keys, leases) ↔ `keyStore`, which the table store
 *   uses but never closes. `lease` is the key store's, where it has one.
 *
 * Iteration walks keyset pages of the id column (`ORDER BY id`), then the key store's vault
 * records of the namespace; never `OFFSET`, never the whole table in memory.
 *
 * @example
 * ```ts
 * const store = postgresTableStore({
 *   url, table: 'app.connections', idColumn: 'id', envelopeColumn: 'auth',
 *   indexColumns: { accessToken: 'auth_token_ix' }, keyStore: postgresStore({ url }),
 * })
 * ```
 * @throws VaultError `INVALID_ARGUMENT` at once for a bad option (path names it), and from the
 * first operation for a missing table or column (path `table`, `idColumn`, `envelopeColumn`,
 * `indexColumns.<field>`) or a column that is not nullable text; `NOT_FOUND` from a write to an
 * id without a row (`missingRows: 'refuse'`); `UNSUPPORTED` (path `keyStore`) for a key the
 * table does not hold and no `keyStore`; `STORE_FAILED` when PostgreSQL fails or times out.
 */
export function postgresTableStore(options: PostgresTableStoreOptions): PostgresTableStore {
  const settings = checkSettings(options);
  const table = quoteTable(options.table);
  const { timeout = 5000, max = 10 } = options;
  const { keyStore, pageSize } = settings;
  const layout = keyLayout(
    settings.namespace,
    settings.indexColumns.map(([field]) => field),
  );
  const opened = openPool(options, { ssl: options.ssl, timeout, max });
  const runner = poolRunner(opened, timeout, async () => {});
  let compiled: Compiled | undefined;
  let opening: Promise<Compiled> | undefined;
  const open = async (q: Query): Promise<Compiled> => {
    if (compiled !== undefined) return compiled;
    opening ??= compile(q, table, options.idColumn, options.envelopeColumn, settings).then(
      (c) => {
        compiled = c;
        return c;
      },
      (error: unknown) => {
        opening = undefined; // the table may exist on the next try
        throw error;
      },
    );
    return opening;
  };
  /** Runs `work` on the opened table within the timeout. */
  const run = <T>(operation: string, work: (q: Query, c: Compiled) => Promise<T>): Promise<T> =>
    runner.run(operation, async (q) => work(q, await open(q)));

  const ctx = { layout, keyStore, run };
  const single = singleOps(ctx);
  const store: PostgresTableStore = {
    name: 'postgres table',
    pool: opened.pool,
    ...single,
    ...batchOps(ctx, single),
    async count(prefix) {
      const plan = planPrefix(layout, prefix);
      const inTable = await run('count', (q, c) => tableCount(q, c, plan));
      if (!plan.keyStore || (keyStore === undefined && hasTablePart(plan))) return inTable;
      // Under `<namespace>:` the key store holds only the vault's own records (`~...`).
      const own = prefix === layout.records ? `${prefix}~` : prefix;
      return inTable + (await countOf(keyStoreOf(keyStore), own));
    },
    entries: (prefix) =>
      tableEntries({
        plan: planPrefix(layout, prefix),
        prefix,
        layout,
        pageSize,
        keyStore,
        run,
      }),
    ...(keyStore?.lease === undefined
      ? {}
      : { lease: (name: string, ttlMs: number): Promise<Lease | undefined> => leaseOf(keyStore, name, ttlMs) }),
    close: () => runner.close(),
  };

  return store;
}

function leaseOf(keyStore: VaultStore, name: string, ttlMs: number): Promise<Lease | undefined> {
  return (keyStore.lease as NonNullable<VaultStore['lease']>).call(keyStore, name, ttlMs);
}

/** Finds the table and columns and builds the statements. */
async function compile(
  q: Query,
  table: string,
  idColumn: string,
  envelopeColumn: string,
  settings: ReturnType<typeof checkSettings>,
): Promise<Compiled> {
  const names = await resolveTable(q, table, idColumn, [
    ['envelopeColumn', envelopeColumn],
    ...settings.indexColumns.map(([field, column]) => [`indexColumns.${field}`, column] as const),
  ]);
  const index = new Map(
    settings.indexColumns.map(([field, column]) => [field, indexStatements(names, quoteIdentifier(column))]),
  );
  return { names, row: rowStatements(names), index, insert: settings.insert, idColumn };
}
