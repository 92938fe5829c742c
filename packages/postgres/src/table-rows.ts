/** The statements of a table store, run: records in the envelope column, index entries in theirs. Internal. */
import { VaultError, type VaultStore } from '@credvault/core';
import type { Query } from './runner.js';
import type { KeyLayout } from './table-keys.js';
import type { IndexStatements, RowStatements, TableNames } from './table-sql.js';

/** The statements of one opened table. */
export interface Compiled {
  readonly names: TableNames;
  readonly row: RowStatements;
  readonly index: ReadonlyMap<string, IndexStatements>;
  /** `missingRows: 'insert'`. */
  readonly insert: boolean;
  /** The id column as the user named it, for messages. */
  readonly idColumn: string;
}

/** Runs work on the opened table within the store's timeout; a failure becomes `STORE_FAILED`. */
export type RunOnTable = <T>(operation: string, work: (q: Query, c: Compiled) => Promise<T>) => Promise<T>;

/** What the operations of a table store share. */
export interface TableContext {
  readonly layout: KeyLayout;
  readonly keyStore: VaultStore | undefined;
  readonly run: RunOnTable;
}

/** Rows per statement of a batch. */
export const MAX_ROWS_PER_STATEMENT = 10_000;

/** SQLSTATEs of a text that is not a value of the id column's type (`'x'::uuid`, `'9e99'::int`, ...). */
const NOT_OF_TYPE = new Set(['22P02', '22003', '22007', '22008', '22009']);

/** Whether `error` says an id is not a value of the id column's type. */
export function badIdText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_OF_TYPE.has(code);
}

/** The error of a write whose id is not a value of the id column's type. */
export function idNotOfType(c: Compiled, cause?: unknown): VaultError {
  return new VaultError(
    'INVALID_ARGUMENT',
    `the id is not a value of ${c.idColumn}'s type (${c.names.idTypeName}) in its text form`,
    { path: 'id', ...(cause === undefined ? {} : { cause }) },
  );
}

/** The error of a write to an id without a row, under `missingRows: 'refuse'`. */
export function noRow(c: Compiled, id: string): VaultError {
  return new VaultError(
    'NOT_FOUND',
    `the table ${c.names.table} has no row with ${c.idColumn} ${JSON.stringify(id)}: insert the row first, or pass missingRows: 'insert'`,
    { id },
  );
}

/** A read whose id cannot be in the column reads nothing. */
export async function readRows(run: () => Promise<unknown[]>): Promise<unknown[]> {
  try {
    return await run();
  } catch (error) {
    if (badIdText(error)) return [];
    throw error;
  }
}

/** A write whose id cannot be in the column is the caller's mistake. */
export async function writeRows(c: Compiled, run: () => Promise<unknown[]>): Promise<unknown[]> {
  try {
    return await run();
  } catch (error) {
    if (badIdText(error)) throw idNotOfType(c, error);
    throw error;
  }
}

/** Writes `value` to column of row `id` by `update` or `upsert` (by `missingRows`): `NOT_FOUND` or `INVALID_ARGUMENT` when no row took it. */
export async function writeOne(
  q: Query,
  c: Compiled,
  statements: { readonly update: string; readonly upsert: string },
  id: string,
  value: string,
): Promise<void> {
  const rows = await writeRows(c, () => q(c.insert ? statements.upsert : statements.update, [id, value]));
  if (rows.length > 0) return;
  throw c.insert ? idNotOfType(c) : noRow(c, id); // an insert writes one row unless the id is not in its text form
}

/** `setMany` of records: one statement per chunk. */
export async function setRows(q: Query, c: Compiled, entries: readonly (readonly [string, string])[]): Promise<void> {
  for (let i = 0; i < entries.length; i += MAX_ROWS_PER_STATEMENT) {
    const chunk = entries.slice(i, i + MAX_ROWS_PER_STATEMENT);
    const text = c.insert ? c.row.upsertMany : c.row.updateMany;
    const written = new Set(
      ((await writeRows(c, () => q(text, [chunk.map((e) => e[0]), chunk.map((e) => e[1])]))) as { k: string }[]).map(
        (r) => r.k,
      ),
    );
    const missing = chunk.find(([id]) => !written.has(id));
    if (missing !== undefined) throw c.insert ? idNotOfType(c) : noRow(c, missing[0]);
  }
}

/** `getMany` of records: one statement per chunk, or one read per id when a chunk holds an id not of the column's type. */
export async function getRows(q: Query, c: Compiled, ids: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < ids.length; i += MAX_ROWS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + MAX_ROWS_PER_STATEMENT);
    let rows: { k: string; v: string }[];
    try {
      rows = (await q(c.row.getMany, [chunk])) as { k: string; v: string }[];
    } catch (error) {
      if (!badIdText(error)) throw error;
      rows = [];
      for (const id of chunk) {
        const v = ((await readRows(() => q(c.row.get, [id]))) as { v: string | null }[])[0]?.v;
        if (typeof v === 'string') rows.push({ k: id, v });
      }
    }
    for (const row of rows) found.set(row.k, row.v);
  }
  return found;
}

/** `compareAndSetMany` or `replacePrefixMany` of records (`text`): the ids it changed. */
export async function updateRows(
  q: Query,
  c: Compiled,
  text: string,
  entries: readonly (readonly [string, string, string])[],
): Promise<Set<string>> {
  const written = new Set<string>();
  for (let i = 0; i < entries.length; i += MAX_ROWS_PER_STATEMENT) {
    const chunk = entries.slice(i, i + MAX_ROWS_PER_STATEMENT);
    const columns = [chunk.map((e) => e[0]), chunk.map((e) => e[1]), chunk.map((e) => e[2])];
    for (const row of (await writeRows(c, () => q(text, columns))) as { k: string }[]) written.add(row.k);
  }
  return written;
}

/** `compareAndSet` of one record: insert-if-absent, replace-if-equal, delete-if-equal, or is-absent. */
export async function compareAndSetRow(
  q: Query,
  c: Compiled,
  id: string,
  expected: string | undefined,
  next: string | undefined,
): Promise<boolean> {
  const { row } = c;
  if (expected === undefined && next === undefined) return (await readRows(() => q(row.has, [id]))).length === 0;
  const [text, values] =
    expected === undefined
      ? [c.insert ? row.upsertIfNull : row.fillIfNull, [id, next]]
      : next === undefined
        ? [row.clearIf, [id, expected]]
        : [row.replaceIf, [id, next, expected]];
  return (await writeRows(c, () => q(text, values))).length > 0;
}

/** `compareAndSet` of one index entry: only clearing it (`expected` its row, `next` absent) or checking it is absent. */
export async function compareAndSetEntry(
  q: Query,
  ix: IndexStatements,
  mac: string,
  expected: string | undefined,
  next: string | undefined,
): Promise<boolean> {
  if (next !== undefined) {
    throw new VaultError(
      'UNSUPPORTED',
      'the table store keeps blind-index entries in columns: compare-and-set can only clear an entry',
    );
  }
  if (expected === undefined) return (await q(ix.has, [mac])).length === 0;
  return (await readRows(() => q(ix.clearIf, [expected, mac]))).length > 0;
}
