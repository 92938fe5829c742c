import {
  type AnyCredentialSchema,
  type InputOf,
  type OutputOf,
  type Sealer,
  type SecretOf,
  VaultError,
} from '@credvault/core';
import { type Column, eq, getTableColumns, is, type SQL, sql, Table } from 'drizzle-orm';
import type { BlindIndexToken, SealedText } from './column-values.js';
import { isIndexColumn, isSealedColumn } from './column-values.js';

/** The property names of a Drizzle table's columns (the keys of its rows, not the SQL names). */
export type ColumnKey<T extends Table> = keyof T['_']['columns'] & string;

/** Which blind-index column of the table holds each indexed field's token. */
export type IndexColumns<S extends AnyCredentialSchema, T extends Table> = {
  readonly [F in SecretOf<S>]?: ColumnKey<T>;
};

/** Options of {@link credentials}: the property names of the table's columns involved. */
export interface CredentialsOptions<Id extends string, C extends string, Ix> {
  /** The row's primary key (or a unique column): the id each envelope is bound to. */
  readonly id: Id;
  /** The {@link SealedText} column (`sealed(...)`) holding the record. */
  readonly column: C;
  /** Indexed field → its `blindIndex(...)` column; the sealer must index those fields (`createSealer({ index })`). */
  readonly index?: Ix;
}

/** The blind-index column keys of an {@link IndexColumns} map. */
export type IndexKeys<Ix> = Ix[keyof Ix] & string;

/**
 * A row to seal: its id, the record (or `null`) in the credential column, and any other columns
 * of the table, which pass through unchanged (the index columns are filled by `seal`).
 */
export type SealInput<
  S extends AnyCredentialSchema,
  T extends Table,
  Id extends string,
  C extends string,
  IxK extends string,
> = {
  readonly [K in Id]: NonNullable<T['$inferInsert'][K]>;
} & { readonly [K in C]: InputOf<S> | null } & {
  readonly [K in Exclude<keyof T['$inferInsert'], Id | C | IxK>]?: T['$inferInsert'][K];
};

/** A row as {@link Credentials.seal} returns it: ready for `insert().values()` or `update().set()`. */
export type SealedRow<R, C extends string, IxK extends string> = {
  [K in keyof R | C | IxK]: K extends C
    ? null extends R[K & keyof R]
      ? SealedText | null
      : SealedText
    : K extends IxK
      ? BlindIndexToken | null
      : R[K & keyof R];
};

/** A selected row as {@link Credentials.open} returns it: the credential column holds the typed record. */
export type OpenedRow<S extends AnyCredentialSchema, R, C extends string> = {
  [K in keyof R]: K extends C ? (null extends R[K] ? OutputOf<S> | null : OutputOf<S>) : R[K];
};

/** A selected row (or a partial select) that {@link Credentials.open} can open: its id and its sealed column. */
export type OpenInput<Id extends string, C extends string> = { readonly [K in Id]: unknown } & {
  readonly [K in C]: SealedText | null;
};

/**
 * A table's credential column bound to a sealer: the explicit async steps around Drizzle's
 * queries (sealing and opening are async and bound to the row id, which a column mapping never
 * sees). Works with any Drizzle database, transaction or batch: it only turns rows into rows.
 */
export interface Credentials<
  S extends AnyCredentialSchema,
  T extends Table,
  Id extends ColumnKey<T>,
  C extends ColumnKey<T>,
  IxK extends string,
> {
  /** The sealer given to {@link credentials}: its `on('legacy', ...)` and `close()` are yours to call. */
  readonly sealer: Sealer<S>;
  /** The Drizzle table given to {@link credentials}. */
  readonly table: T;
  /**
   * Seals each row's record into its credential column, bound to the row's id, and fills the
   * row's blind-index columns (`null` where the record has no such value). Other columns pass
   * through. A `null` record stays `null`.
   * @throws VaultError `INVALID_ARGUMENT` (path `rows.<i>.<id>`) for a missing or bad id,
   * `VALIDATION_FAILED` for a record the schema refuses, `KEY_UNAVAILABLE`; and what the
   * sealer's `terms` throws.
   */
  seal<R extends SealInput<S, T, Id, C, IxK>>(row: R): Promise<SealedRow<R, C, IxK>>;
  seal<R extends SealInput<S, T, Id, C, IxK>>(rows: readonly R[]): Promise<SealedRow<R, C, IxK>[]>;
  /**
   * Opens each selected row's credential column into its validated record (a `null` column stays
   * `null`; a legacy value goes through the sealer's `legacy` readers and is reported as a
   * `legacy` event). Other columns pass through.
   * @throws VaultError `DECRYPT_FAILED` (tampered, copied from another row, plaintext without a
   * legacy reader), `UNKNOWN_KEY`, `VALIDATION_FAILED`, `KEY_UNAVAILABLE`, and `INVALID_ARGUMENT`
   * (path `rows.<i>.<id>`) for a row without its id.
   */
  open<R extends OpenInput<Id, C>>(row: R): Promise<OpenedRow<S, R, C>>;
  open<R extends OpenInput<Id, C>>(rows: readonly R[]): Promise<OpenedRow<S, R, C>[]>;
  /**
   * The token to look `value` of `field` up by in its blind-index column; `undefined` for a value
   * never indexed (empty), which no row matches.
   * @throws VaultError `INVALID_ARGUMENT` for a field without an index column.
   */
  term(field: IndexedField<S, IxK>, value: string): Promise<BlindIndexToken | undefined>;
  /**
   * The condition for `.where(...)` that finds the rows whose `field` may equal `value`:
   * `eq(indexColumn, token)` (or a condition no row meets, for a value never indexed). A match is
   * a hint: open the rows and compare, or use {@link find}.
   * @throws VaultError `INVALID_ARGUMENT` for a field without an index column.
   */
  where(field: IndexedField<S, IxK>, value: string): Promise<SQL>;
  /**
   * Runs `query` with {@link where}'s condition, opens the rows and keeps those whose record's
   * `field` is exactly `value`, as `vault.findBy` does:
   * `await creds.find('accessToken', token, (where) => db.select().from(connections).where(where))`.
   * @throws VaultError as {@link where} and {@link open}.
   */
  find<R extends OpenInput<Id, C>>(
    field: IndexedField<S, IxK>,
    value: string,
    query: (where: SQL) => PromiseLike<R[]>,
  ): Promise<OpenedRow<S, R, C>[]>;
}

/** The fields of `S` that have a blind-index column. */
export type IndexedField<S extends AnyCredentialSchema, IxK extends string> = [IxK] extends [never]
  ? never
  : SecretOf<S>;

/**
 * Binds a table's sealed column to a sealer made with `createSealer` (same schema, keyring and
 * namespace as the vault that rotates that table):
 * `const creds = credentials(sealer, connections, { id: 'id', column: 'credential', index: { accessToken: 'accessTokenIx' } })`.
 * @throws VaultError `INVALID_ARGUMENT` (path `table`, `id`, `column` or `index.<field>`) for a
 * table that is not a Drizzle table, a key that is not one of its columns, an id column that is
 * neither primary nor unique, a `column` that is not `sealed(...)`, an index column that is not
 * `blindIndex(...)`. (A field the sealer does not index fails at its first `seal`, `term` or `where`.)
 */
export function credentials<
  S extends AnyCredentialSchema,
  T extends Table,
  Id extends ColumnKey<T>,
  C extends ColumnKey<T>,
  Ix extends IndexColumns<S, T> = Record<never, never>,
>(sealer: Sealer<S>, table: T, options: CredentialsOptions<Id, C, Ix>): Credentials<S, T, Id, C, IndexKeys<Ix>> {
  if (!is(table, Table)) throw bad('table', 'a Drizzle table (pgTable or sqliteTable)');
  const columns = getTableColumns(table) as Record<string, Column>;
  const idKey = options?.id;
  const column = options?.column;
  const idColumn = columnOf(columns, idKey, 'id');
  if (!idColumn.primary && !idColumn.isUnique) throw bad('id', `"${idKey}": the primary key (or a unique column)`);
  if (!isSealedColumn(columnOf(columns, column, 'column')))
    throw bad('column', `"${column}": a sealed(...) column of the table`);
  const index = indexOf(columns, options.index);
  const lowerCase = idColumn.columnType === 'PgUUID'; // PostgreSQL reads a uuid back in lower case

  const idOf = (row: Record<string, unknown>, i: number): string => {
    const path = `rows.${i}.${idKey}`;
    const value = row[idKey];
    if (typeof value === 'string' && value.length > 0) return lowerCase ? value.toLowerCase() : value;
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
    throw bad(path, `the row's id (a non-empty string, a finite number or a bigint), given before sealing`);
  };
  const indexColumnOf = (field: string): Column => {
    const key = index.get(field);
    if (key === undefined) throw bad('field', `"${field}": a field with an index column (credentials(..., { index }))`);
    return columns[key] as Column;
  };

  const sealOne = async (row: Record<string, unknown>, i: number) => {
    if (row === null || typeof row !== 'object') throw bad(`rows.${i}`, 'a row object');
    const id = idOf(row, i);
    const input = row[column];
    const out: Record<string, unknown> = { ...row };
    if (input === null) {
      for (const key of index.values()) out[key] = null;
      return out;
    }
    if (index.size === 0) {
      out[column] = await sealer.seal(id, input);
      return out;
    }
    const { text, terms } = await sealer.sealIndexed(id, input);
    out[column] = text;
    for (const [field, key] of index) out[key] = (terms as Record<string, string | undefined>)[field] ?? null;
    return out;
  };
  const openOne = async (row: Record<string, unknown>, i: number) => {
    if (row === null || typeof row !== 'object') throw bad(`rows.${i}`, 'a row object');
    const text = row[column];
    if (text === null || text === undefined) return { ...row, [column]: null };
    return { ...row, [column]: await sealer.open(idOf(row, i), text as string) };
  };
  const each = <I, O>(input: I | readonly I[], fn: (row: I, i: number) => Promise<O>) =>
    Array.isArray(input) ? Promise.all((input as readonly I[]).map(fn)) : fn(input as I, 0);

  const term = async (field: string, value: string) => {
    indexColumnOf(field);
    return (await sealer.term(field as SecretOf<S>, value)) as BlindIndexToken | undefined;
  };
  const where = async (field: string, value: string): Promise<SQL> => {
    const ix = indexColumnOf(field);
    const token = await term(field, value);
    return token === undefined ? sql`1 = 0` : eq(ix, token);
  };

  return {
    sealer,
    table,
    seal: ((rows: unknown) => each(rows as Record<string, unknown>, sealOne)) as never,
    open: ((rows: unknown) => each(rows as Record<string, unknown>, openOne)) as never,
    term,
    where,
    async find(field, value, query) {
      const rows = await query(await where(field, value));
      const opened = (await each(rows as Record<string, unknown>[], openOne)) as Record<string, unknown>[];
      return opened.filter((row) => (row[column] as Record<string, unknown> | null)?.[field] === value) as never;
    },
  };
}

function bad(path: string, expected: string): VaultError {
  return new VaultError('INVALID_ARGUMENT', `${path} must be ${expected}`, { path });
}

function columnOf(columns: Record<string, Column>, key: unknown, path: string): Column {
  const found = typeof key === 'string' && Object.hasOwn(columns, key) ? columns[key] : undefined;
  if (found === undefined) throw bad(path, 'the property name of one of the table’s columns');
  return found;
}

function indexOf(columns: Record<string, Column>, option: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (option === undefined) return map;
  if (option === null || typeof option !== 'object') throw bad('index', 'an object of { field: indexColumnKey }');
  for (const [field, key] of Object.entries(option)) {
    if (!isIndexColumn(columnOf(columns, key, `index.${field}`)))
      throw bad(`index.${field}`, `"${String(key)}": a blindIndex(...) column of the table`);
    map.set(field, key as string);
  }
  return map;
}
