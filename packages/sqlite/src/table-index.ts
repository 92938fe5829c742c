/** The blind-index half of a table store: `~ix:` entries as tokens in the user's index columns. Internal. */
import { keysetEntries, prefixEnd } from '@credvault/core';
import type { Query, Run } from './connection.js';
import { quoteIdentifier, type TableConfig } from './table-options.js';
import { noRow, notItself, type RowOperations } from './table-rows.js';
import { type IndexStatements, indexStatements } from './table-sql.js';

/** The index-entry operations on one column: an entry is a token (`mac`) in the row of the id it names. */
export interface IndexOperations {
  get(column: string, mac: string): Promise<string | undefined>;
  has(column: string, mac: string): Promise<boolean>;
  set(column: string, mac: string, id: string): Promise<void>;
  clear(column: string, mac: string): Promise<boolean>;
  compareAndSet(column: string, mac: string, expected: string | undefined, next: string | undefined): Promise<boolean>;
  count(column: string, macPrefix: string): Promise<number>;
  /** `[mac, id]` of every token under `macPrefix`. */
  entries(column: string, macPrefix: string): AsyncIterable<readonly [string, string]>;
}

/** The index operations of a table store; every one runs in `run` once `query` is ready. */
export function indexOperations(
  config: TableConfig,
  run: Run,
  ready: Promise<{ readonly query: Query }>,
  rows: RowOperations,
): IndexOperations {
  const statements = new Map<string, IndexStatements>();
  const sqlOf = (column: string) => {
    let sql = statements.get(column);
    if (sql === undefined) {
      const [t, i] = [quoteIdentifier(config.table), quoteIdentifier(config.idColumn)];
      sql = indexStatements(t, i, quoteIdentifier(column));
      statements.set(column, sql);
    }
    return sql;
  };
  const op = <T>(operation: string, column: string, work: (query: Query, sql: IndexStatements) => Promise<T>) =>
    run(operation, async () => work((await ready).query, sqlOf(column)));
  const done = (result: unknown[]) => result.length > 0;
  const range = (macPrefix: string) => {
    const end = macPrefix === '' ? undefined : prefixEnd(macPrefix);
    return {
      lower: macPrefix !== '',
      upper: end !== undefined,
      bounds: [...(macPrefix === '' ? [] : [macPrefix]), ...(end === undefined ? [] : [end])],
    };
  };
  return {
    get: (column, mac) =>
      op('index get', column, async (query, sql) => ((await query(sql.get, [mac])) as { id: string }[])[0]?.id),
    has: (column, mac) => op('index has', column, async (query, sql) => done(await query(sql.has, [mac]))),
    set: (column, mac, id) =>
      op('index set', column, async (query, sql) => {
        if (done(await query(sql.set, [id, mac]))) return;
        if (config.missingRows === 'refuse') throw noRow(config, id);
        await rows.checkInsertable([id]);
        if (!done(await query(sql.upsert, [id, mac]))) throw notItself(config, id);
      }),
    clear: (column, mac) => op('index delete', column, async (query, sql) => done(await query(sql.clear, [mac]))),
    compareAndSet: (column, mac, expected, next) =>
      op('index compareAndSet', column, async (query, sql) => {
        if (expected === undefined) {
          return next === undefined
            ? !done(await query(sql.has, [mac]))
            : done(await query(sql.setIfAbsent, [next, mac]));
        }
        if (next === undefined) return done(await query(sql.clearIf, [expected, mac]));
        return done(await query(sql.move, [mac, expected, next]));
      }),
    count: (column, macPrefix) =>
      op('count', column, async (query, sql) => {
        const { lower, upper, bounds } = range(macPrefix);
        return ((await query(sql.count(lower, upper), bounds)) as { n: number }[])[0]?.n ?? 0;
      }),
    entries: (column, macPrefix) => {
      const { lower, upper, bounds } = range(macPrefix);
      return keysetEntries('', config.pageSize, (cursor, first) =>
        op('iterate', column, async (query, sql) => {
          const params = [...bounds, ...(first ? [] : [cursor]), config.pageSize];
          return (await query(sql.page(first, lower, upper), params)) as { key: string; value: string }[];
        }),
      );
    },
  };
}
