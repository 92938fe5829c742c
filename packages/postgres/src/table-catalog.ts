/** Finds a user's table and its columns in the catalog, and checks them. Internal. */
import { VaultError } from '@credvault/core';
import { quoteIdentifier, type TableNames } from './table-sql.js';

type Query = (text: string, values?: unknown[]) => Promise<unknown[]>;

/** The columns a table store uses, by option path (`idColumn`, `envelopeColumn`, `indexColumns.<field>`). */
export type ColumnsByPath = readonly (readonly [path: string, column: string])[];

interface Relation {
  readonly oid: number;
  readonly name: string;
}

interface Column {
  readonly name: string;
  readonly type: string;
  readonly cast: string;
  readonly category: string;
  readonly nullable: boolean;
}

/** Tables, partitioned tables, views and foreign tables: relations rows can be read from and written to. */
const RELATION_KINDS = ['r', 'p', 'v', 'f'];

const FIND_RELATION =
  "SELECT c.oid::int AS oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name " +
  'FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ' +
  'WHERE c.oid = to_regclass($1) AND c.relkind = ANY($2::"char"[])';

const FIND_COLUMNS =
  'SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, ' +
  // The type by its catalog name: `character` would be char(1) in a cast, `pg_catalog.bpchar` has no length.
  "quote_ident(tn.nspname) || '.' || quote_ident(t.typname) AS cast, " +
  'coalesce(bt.typcategory, t.typcategory) AS category, NOT a.attnotnull AS nullable ' +
  'FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace ' +
  'LEFT JOIN pg_type bt ON bt.oid = t.typbasetype ' +
  'WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($2::text[])';

/**
 * Resolves `table` (quoted, see `quoteTable`) and checks its columns: the id column exists; the
 * envelope and index columns exist, hold text (a string type) and are nullable (an absent value is
 * NULL). The id column's type is kept, so ids (always passed as text) are cast to it.
 * @throws VaultError `INVALID_ARGUMENT` with the path of the first option at fault.
 */
export async function resolveTable(
  query: Query,
  table: string,
  idColumn: string,
  textColumns: ColumnsByPath,
): Promise<TableNames> {
  const relation = ((await query(FIND_RELATION, [table, RELATION_KINDS])) as Relation[])[0];
  if (relation === undefined) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `table ${table} does not exist (or this role cannot see it); names are case-sensitive, and the store never creates it`,
      { path: 'table' },
    );
  }
  const names = [idColumn, ...textColumns.map(([, column]) => column)];
  const found = new Map(((await query(FIND_COLUMNS, [relation.oid, names])) as Column[]).map((c) => [c.name, c]));
  const id = found.get(idColumn);
  if (id === undefined) throw missingColumn('idColumn', idColumn, relation.name);
  for (const [path, name] of textColumns) {
    const column = found.get(name);
    if (column === undefined) throw missingColumn(path, name, relation.name);
    if (column.category !== 'S') {
      throw new VaultError(
        'INVALID_ARGUMENT',
        `${path}: column ${name} of ${relation.name} must hold text, not ${column.type}`,
        {
          path,
        },
      );
    }
    if (!column.nullable) {
      throw new VaultError(
        'INVALID_ARGUMENT',
        `${path}: column ${name} of ${relation.name} must be nullable (an absent value is NULL)`,
        { path },
      );
    }
  }
  const envelope = textColumns.find(([path]) => path === 'envelopeColumn')?.[1] ?? '';
  return {
    table: relation.name,
    id: quoteIdentifier(idColumn),
    envelope: quoteIdentifier(envelope),
    idType: id.cast,
    idTypeName: id.type,
  };
}

function missingColumn(path: string, name: string, table: string): VaultError {
  return new VaultError(
    'INVALID_ARGUMENT',
    `${path}: table ${table} has no column ${name} (names are case-sensitive)`,
    {
      path,
    },
  );
}
