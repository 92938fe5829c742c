import { type CompleteStore, checkDistinctKeys, type Lease, VaultError, type VaultStore } from '@credvault/core';
import type pg from 'pg';
import { openPool } from './connection.js';
import { poolRunner, type Query } from './runner.js';
import { resolveTable } from './table-catalog.js';
import { tableCount, tableEntries } from './table-entries.js';
import {
  compareAndSetManyOf,
  countOf,
  getManyOf,
  keyStoreOf,
  replacePrefixManyOf,
  setManyOf,
} from './table-key-store.js';
import { hasTablePart, keyLayout, planPrefix, type Route, route } from './table-keys.js';
import { checkSettings, type PostgresTableStoreOptions } from './table-options.js';
import {
  type Compiled,
  compareAndSetEntry,
  compareAndSetRow,
  getRows,
  readRows,
  setRows,
  updateRows,
  writeOne,
} from './table-rows.js';
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
  const indexOf = (c: Compiled, field: string) => c.index.get(field) as NonNullable<ReturnType<typeof c.index.get>>;

  const single = {
    async get(key: string): Promise<string | undefined> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).get(key);
      return run('get', async (q, c) => {
        if (r.kind === 'row')
          return ((await readRows(() => q(c.row.get, [r.id]))) as { v: string | null }[])[0]?.v ?? undefined;
        return ((await q(indexOf(c, r.field).lookup, [r.mac])) as { id: string }[])[0]?.id;
      });
    },
    async set(key: string, value: string): Promise<void> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).set(key, value);
      return run('set', (q, c) =>
        r.kind === 'row' ? writeOne(q, c, c.row, r.id, value) : writeOne(q, c, indexOf(c, r.field), value, r.mac),
      );
    },
    async delete(key: string): Promise<boolean> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).delete(key);
      return run('delete', async (q, c) =>
        r.kind === 'row'
          ? (await readRows(() => q(c.row.delete, [r.id]))).length > 0
          : (await q(indexOf(c, r.field).clear, [r.mac])).length > 0,
      );
    },
    async has(key: string): Promise<boolean> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).has(key);
      return run('has', async (q, c) =>
        r.kind === 'row'
          ? (await readRows(() => q(c.row.has, [r.id]))).length > 0
          : (await q(indexOf(c, r.field).has, [r.mac])).length > 0,
      );
    },
    async compareAndSet(key: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
      const r = route(layout, key);
      if (r.kind === 'other') {
        const store = keyStoreOf(keyStore);
        if (store.compareAndSet === undefined) {
          throw new VaultError('UNSUPPORTED', `the keyStore (${store.name}) has no compareAndSet`, {
            path: 'keyStore',
          });
        }
        return store.compareAndSet(key, expected, next);
      }
      return run('compareAndSet', (q, c) =>
        r.kind === 'row'
          ? compareAndSetRow(q, c, r.id, expected, next)
          : compareAndSetEntry(q, indexOf(c, r.field), r.mac, expected, next),
      );
    },
  };

  /** The entries of a batch by where they live, with their positions. */
  const split = <E extends readonly [string, ...unknown[]]>(entries: readonly E[]) => {
    const rows: [number, string, E][] = [];
    const rest: [number, E][] = [];
    const others: [number, E][] = [];
    entries.forEach((entry, i) => {
      const r: Route = route(layout, entry[0]);
      if (r.kind === 'row') rows.push([i, r.id, entry]);
      else if (r.kind === 'index') rest.push([i, entry]);
      else others.push([i, entry]);
    });
    return { rows, rest, others };
  };
  /** Runs a batch: rows by `onRows` (ids), index entries one by one, the key store's by `onOthers`; results in order. */
  const batch = async <E extends readonly [string, ...unknown[]], R>(
    entries: readonly E[],
    onRows: (rows: readonly [number, string, E][]) => Promise<R[]>,
    onOne: (entry: E) => Promise<R>,
    onOthers: (store: VaultStore, others: readonly E[]) => Promise<R[]>,
  ): Promise<R[]> => {
    const { rows, rest, others } = split(entries);
    const out = new Array<R>(entries.length);
    const fromRows = rows.length === 0 ? [] : await onRows(rows);
    rows.forEach(([i], j) => {
      out[i] = fromRows[j] as R;
    });
    for (const [i, entry] of rest) out[i] = await onOne(entry);
    if (others.length > 0) {
      const fromOthers = await onOthers(
        keyStoreOf(keyStore),
        others.map(([, e]) => e),
      );
      others.forEach(([i], j) => {
        out[i] = fromOthers[j] as R;
      });
    }
    return out;
  };

  const store: PostgresTableStore = {
    name: 'postgres table',
    pool: opened.pool,
    ...single,
    getMany: (keys) =>
      batch(
        keys.map((key) => [key] as const),
        (rows) =>
          run('getMany', async (q, c) => {
            const found = await getRows(
              q,
              c,
              rows.map(([, id]) => id),
            );
            return rows.map(([, id]) => found.get(id));
          }),
        ([key]) => single.get(key),
        (s, others) =>
          getManyOf(
            s,
            others.map(([key]) => key),
          ),
      ),
    async setMany(entries) {
      const last = [...new Map(entries).entries()]; // one row per key: the last value wins
      await batch(
        last,
        (rows) =>
          run('setMany', async (q, c) => {
            await setRows(
              q,
              c,
              rows.map(([, id, [, value]]) => [id, value] as const),
            );
            return [];
          }),
        ([key, value]) => single.set(key, value),
        async (s, others) => {
          await setManyOf(s, others);
          return [];
        },
      );
    },
    compareAndSetMany: (entries) => updateMany('compareAndSetMany', entries),
    replacePrefixMany: (entries) => updateMany('replacePrefixMany', entries),
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

  async function updateMany(
    operation: 'compareAndSetMany' | 'replacePrefixMany',
    entries: readonly (readonly [string, string, string])[],
  ): Promise<boolean[]> {
    checkDistinctKeys(entries, operation);
    return batch(
      entries,
      (rows) =>
        run(operation, async (q, c) => {
          const text = operation === 'compareAndSetMany' ? c.row.compareAndSetMany : c.row.replacePrefixMany;
          const written = await updateRows(
            q,
            c,
            text,
            rows.map(([, id, [, a, b]]) => [id, a, b] as const),
          );
          return rows.map(([, id]) => written.has(id));
        }),
      ([key, expected, next]) => {
        if (operation === 'compareAndSetMany') return single.compareAndSet(key, expected, next);
        throw new VaultError('UNSUPPORTED', 'replacePrefixMany does not apply to blind-index entries', {
          path: 'entries',
        });
      },
      (s, others) =>
        operation === 'compareAndSetMany' ? compareAndSetManyOf(s, others) : replacePrefixManyOf(s, others),
    );
  }
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
