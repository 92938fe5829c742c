import { VaultError } from '@credvault/core';

/** The flags that put the records in a table of the user's (`--table` and its columns). */
export interface TableFlags {
  /** `--table <name>`: the user's table (PostgreSQL: `schema.table` allowed). */
  readonly table?: string;
  /** `--id-column <col>`: its primary key. */
  readonly idColumn?: string;
  /** `--envelope-column <col>`: the nullable text column holding each record's envelope. */
  readonly envelopeColumn?: string;
  /** `--index-column <field>=<column>`, repeated: a blind-index field's column. */
  readonly indexColumn?: readonly string[];
  /** `--key-store <spec>`: a store spec, like `--store`'s, for the vault's own records. */
  readonly keyStore?: string;
  /** `--key-store-file <path>`: a file holding that spec on one line (a URL with a password stays out of `ps`). */
  readonly keyStoreFile?: string;
}

/** The table a store command works on, from {@link TableFlags}. */
export interface TableSpec {
  readonly table: string;
  readonly idColumn: string;
  readonly envelopeColumn: string;
  readonly indexColumns: Readonly<Record<string, string>>;
  /** The key store's spec, if given on the command line. */
  readonly keyStore?: string;
  /** The file holding the key store's spec, if given instead. */
  readonly keyStoreFile?: string;
}

/** Parses one `--index-column` value (`field=column`); for commander's repeated option. */
export function collectIndexColumn(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

const usage = (message: string, path: string) => new VaultError('INVALID_ARGUMENT', message, { path });

/**
 * The table of the flags, or `undefined` when `--table` is not given (the records are then a
 * credvault store's own). A usage error, before anything is opened, for `--table` without
 * `--id-column` or `--envelope-column`, a column flag or `--key-store` without `--table`, or an
 * `--index-column` that is not `<field>=<column>` or repeats a field, or both `--key-store` and `--key-store-file`.
 * @throws VaultError `INVALID_ARGUMENT` naming the flag (exit 2).
 */
export function tableSpecOf(flags: TableFlags): TableSpec | undefined {
  const { table, idColumn, envelopeColumn, indexColumn = [], keyStore, keyStoreFile } = flags;
  if (table === undefined) {
    const stray = (
      [
        ['--id-column', idColumn],
        ['--envelope-column', envelopeColumn],
        ['--index-column', indexColumn.length > 0 ? indexColumn : undefined],
        ['--key-store', keyStore],
        ['--key-store-file', keyStoreFile],
      ] as const
    ).find(([, value]) => value !== undefined);
    if (stray !== undefined) throw usage(`${stray[0]} applies only with --table <name>`, 'table');
    return undefined;
  }
  if (idColumn === undefined) throw usage('--table needs --id-column <col> (the primary key of the table)', 'idColumn');
  if (envelopeColumn === undefined) {
    throw usage('--table needs --envelope-column <col> (the column holding each envelope)', 'envelopeColumn');
  }
  const indexColumns: Record<string, string> = {};
  for (const pair of indexColumn) {
    const at = pair.indexOf('=');
    const [field, column] = [pair.slice(0, Math.max(at, 0)), pair.slice(at + 1)];
    if (at <= 0 || column === '') throw usage('--index-column must be <field>=<column>', 'indexColumn');
    if (Object.hasOwn(indexColumns, field)) throw usage(`--index-column repeats the field ${field}`, 'indexColumn');
    indexColumns[field] = column;
  }
  if (keyStore !== undefined && keyStoreFile !== undefined) {
    throw usage('use --key-store or --key-store-file, not both', 'keyStoreFile');
  }
  return {
    table,
    idColumn,
    envelopeColumn,
    indexColumns,
    ...(keyStore === undefined ? {} : { keyStore }),
    ...(keyStoreFile === undefined ? {} : { keyStoreFile }),
  };
}
