/** The row half of a table store: envelopes keyed by id, in the user's envelope column. Internal. */
import { checkDistinctKeys, keysetEntries, prefixEnd, VaultError } from '@credvault/core';
import type { Query, Run } from './connection.js';
import { MAX_ROWS_PER_STATEMENT } from './sql.js';
import type { TableConfig } from './table-options.js';
import type { RowStatements } from './table-sql.js';

/** What the row operations run on, once the connection is open and the table checked. */
export interface TableState {
  readonly query: Query;
  readonly rows: RowStatements;
}

type Done = { done: number }[];
type IdRow = { id: string };

/** The envelope operations on the rows, keyed by id (the part of a key after `<namespace>:`). */
export interface RowOperations {
  get(id: string): Promise<string | undefined>;
  has(id: string): Promise<boolean>;
  set(id: string, value: string): Promise<void>;
  clear(id: string): Promise<boolean>;
  compareAndSet(id: string, expected: string | undefined, next: string | undefined): Promise<boolean>;
  getMany(ids: readonly string[]): Promise<Map<string, string>>;
  setMany(entries: readonly (readonly [string, string])[]): Promise<void>;
  /** `compareAndSetMany` or `replacePrefixMany` of `[id, a, b]` entries: the ids written. */
  batchUpdate(
    operation: 'compareAndSetMany' | 'replacePrefixMany',
    entries: readonly (readonly [string, string, string])[],
  ): Promise<Set<string>>;
  count(idPrefix: string): Promise<number>;
  entries(idPrefix: string): AsyncIterable<readonly [string, string]>;
  /** @throws VaultError `INVALID_ARGUMENT` for an id that would not read back as itself once inserted. */
  checkInsertable(ids: readonly string[]): Promise<void>;
  /** @throws VaultError `NOT_FOUND` naming the first id without a row. */
  refuseMissing(ids: readonly string[]): Promise<void>;
}

function chunks<T>(items: readonly T[], size = MAX_ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The `NOT_FOUND` of a write to an id without a row under `missingRows: 'refuse'`. */
export function noRow(config: TableConfig, id: string): VaultError {
  return new VaultError(
    'NOT_FOUND',
    `table "${config.table}" has no row whose ${config.idColumn} is "${id}": insert the row first, or pass missingRows: 'insert'`,
    { id },
  );
}

/** The `INVALID_ARGUMENT` of an id the id column would store as another text (`'01'` in an INTEGER column is 1). */
export function notItself(config: TableConfig, id: string): VaultError {
  return new VaultError(
    'INVALID_ARGUMENT',
    `id "${id}" does not read back as itself from column ${config.idColumn} of table "${config.table}" ` +
      `(an INTEGER column stores "01" as 1; a NOCASE column matches "ABC" with "abc"): use the column's own text form`,
    { path: 'id', id },
  );
}

/**
 * The row operations of a table store; every one runs in `run` on `state`. One factory over
 * 80 lines: the operations share the state and the checks, and each is a few lines.
 */
export function rowOperations(config: TableConfig, run: Run, state: Promise<TableState>): RowOperations {
  const { pageSize } = config;
  const op = <T>(operation: string, work: (s: TableState) => Promise<T>) =>
    run(operation, async () => work(await state));
  const done = (rows: unknown[]) => rows.length > 0;
  const ops: RowOperations = {
    get: (id) =>
      op(
        'get',
        async ({ query, rows }) => ((await query(rows.get, [id])) as { value: string | null }[])[0]?.value ?? undefined,
      ),
    has: (id) => op('has', async ({ query, rows }) => done(await query(rows.has, [id]))),
    set: (id, value) =>
      op('set', async ({ query, rows }) => {
        if (done(await query(rows.update, [id, value]))) return;
        if (config.missingRows === 'refuse') throw noRow(config, id);
        await ops.checkInsertable([id]);
        if (!done((await query(rows.upsert, [id, value])) as Done)) throw notItself(config, id);
      }),
    clear: (id) => op('delete', async ({ query, rows }) => done(await query(rows.clear, [id]))),
    compareAndSet: (id, expected, next) =>
      op('compareAndSet', async ({ query, rows }) => {
        if (expected !== undefined) {
          return done(
            await query(next === undefined ? rows.clearIf : rows.replaceIf, [
              id,
              expected,
              ...(next === undefined ? [] : [next]),
            ]),
          );
        }
        if (next === undefined) return !done(await query(rows.has, [id]));
        if (done(await query(rows.fillIfEmpty, [id, next]))) return true;
        if (config.missingRows === 'refuse') {
          await ops.refuseMissing([id]);
          return false;
        }
        await ops.checkInsertable([id]);
        return done(await query(rows.insertIfAbsent, [id, next]));
      }),
    getMany: (ids) =>
      op('getMany', async ({ query, rows }) => {
        const found = new Map<string, string>();
        for (const chunk of chunks(ids)) {
          for (const row of (await query(rows.getMany(chunk.length), chunk)) as { id: string; value: string }[]) {
            found.set(row.id, row.value);
          }
        }
        return found;
      }),
    setMany: (entries) =>
      op('setMany', async ({ query, rows }) => {
        const last = [...new Map(entries).entries()]; // a repeated id: the last value wins, as in a loop of set()
        for (const chunk of chunks(last)) {
          const ids = chunk.map(([id]) => id);
          if (config.missingRows === 'refuse') {
            const update = () => query(rows.updateAll(chunk.length), chunk.flat());
            if (done(await update())) continue;
            await ops.refuseMissing(ids); // NOT_FOUND for the first id without a row
            if (!done(await update()))
              throw new VaultError('CONFLICT', 'setMany: the rows changed while being written');
            continue;
          }
          await ops.checkInsertable(ids);
          const written = new Set(
            ((await query(rows.upsertMany(chunk.length), chunk.flat())) as IdRow[]).map((r) => r.id),
          );
          const bad = ids.find((id) => !written.has(id));
          if (bad !== undefined) throw notItself(config, bad);
        }
      }),
    batchUpdate: (operation, entries) => {
      checkDistinctKeys(entries, operation);
      return op(operation, async ({ query, rows }) => {
        const written = new Set<string>();
        for (const chunk of chunks(entries)) {
          for (const row of (await query(rows[operation](chunk.length), chunk.flat())) as IdRow[]) written.add(row.id);
        }
        return written;
      });
    },
    count: (idPrefix) =>
      op('count', async ({ query, rows }) => {
        const end = idPrefix === '' ? undefined : prefixEnd(idPrefix);
        const bounds = [...(idPrefix === '' ? [] : [idPrefix]), ...(end === undefined ? [] : [end])];
        const result = (await query(rows.count(idPrefix !== '', end !== undefined), bounds)) as { n: number }[];
        return result[0]?.n ?? 0;
      }),
    entries: (idPrefix) => {
      const end = idPrefix === '' ? undefined : prefixEnd(idPrefix);
      const bounds = [...(idPrefix === '' ? [] : [idPrefix]), ...(end === undefined ? [] : [end])];
      return keysetEntries('', pageSize, (cursor, first) =>
        op('iterate', async ({ query, rows }) => {
          const sql = rows.page(first, idPrefix !== '', end !== undefined);
          return (await query(sql, [...bounds, ...(first ? [] : [cursor]), pageSize])) as {
            key: string;
            value: string;
          }[];
        }),
      );
    },
    checkInsertable: (ids) =>
      op('set', async ({ query, rows }) => {
        const sql = rows.notCanonical;
        if (sql === undefined) return;
        for (const chunk of chunks(ids, 30_000)) {
          const bad = ((await query(sql(chunk.length), chunk)) as { bad: string }[])[0];
          if (bad !== undefined) throw notItself(config, bad.bad);
        }
      }),
    refuseMissing: (ids) =>
      op('set', async ({ query, rows }) => {
        for (const chunk of chunks(ids, 30_000)) {
          const there = new Set(((await query(rows.existing(chunk.length), chunk)) as IdRow[]).map((r) => r.id));
          const bad = chunk.find((id) => !there.has(id));
          if (bad !== undefined) throw noRow(config, bad);
        }
      }),
  };
  return ops;
}
