/** The check, at open, that the user's table and columns exist. Internal. */
import { VaultError } from '@credvault/core';
import type { Query } from './connection.js';
import type { TableConfig } from './table-options.js';

/** SQLite's type affinity of a column (https://sqlite.org/datatype3.html, 3.1). */
export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** The affinity SQLite gives a column declared with `type`. */
export function affinityOf(type: string): Affinity {
  const t = type.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t === '' || t.includes('BLOB')) return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

type Column = { name: string; type: string; pk: number };
type UniqueIndex = { n: number; col: string | null };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase(); // SQLite folds ASCII case of names

function missing(path: string, message: string): VaultError {
  return new VaultError('INVALID_ARGUMENT', message, { path });
}

/**
 * Checks that the table has the id column (its primary key, or a column with a single-column
 * unique index), the envelope column and every index column; the id column's affinity.
 * @throws VaultError `INVALID_ARGUMENT` with path `table`, `idColumn`, `envelopeColumn` or `indexColumns.<field>`.
 */
export async function checkTable(query: Query, config: TableConfig): Promise<Affinity> {
  const columns = (await query('SELECT name, type, pk FROM pragma_table_info(?1)', [config.table])) as Column[];
  if (columns.length === 0) {
    throw missing(
      'table',
      `table: no table "${config.table}" in ${config.path} (credvault creates none: create it first)`,
    );
  }
  const find = (name: string) => columns.find((column) => same(column.name, name));
  const where = `in table "${config.table}"`;
  const id = find(config.idColumn);
  if (id === undefined) throw missing('idColumn', `idColumn: no column "${config.idColumn}" ${where}`);
  if (find(config.envelopeColumn) === undefined) {
    throw missing('envelopeColumn', `envelopeColumn: no column "${config.envelopeColumn}" ${where}`);
  }
  for (const [field, column] of config.indexColumns) {
    if (find(column) === undefined) {
      throw missing(`indexColumns.${field}`, `indexColumns.${field}: no column "${column}" ${where}`);
    }
  }
  const keys = columns.filter((column) => column.pk > 0);
  if (!(keys.length === 1 && keys[0] === id)) {
    const unique = (await query(
      'SELECT (SELECT count(*) FROM pragma_index_info(il.name)) AS n, (SELECT name FROM pragma_index_info(il.name)) AS col ' +
        'FROM pragma_index_list(?1) AS il WHERE il."unique" = 1 AND il.partial = 0',
      [config.table],
    )) as UniqueIndex[];
    if (!unique.some((index) => index.n === 1 && index.col !== null && same(index.col, config.idColumn))) {
      throw missing('idColumn', `idColumn: "${config.idColumn}" is neither the primary key nor unique ${where}`);
    }
  }
  return affinityOf(id.type);
}
