// The user's side of the table-store tests: their own database and table, made and read with
// the sqlite3 driver directly, never through credvault.
import { join } from 'node:path';
import type { VaultStore } from '@credvault/core';
import sqlite3 from 'sqlite3';
import { type SqliteTableStoreOptions, sqliteStore, sqliteTableStore } from '../../src/index.js';

/** Runs `sql` on the database file `path` (opened and closed for it); the rows. */
export function sql(path: string, statement: string, parameters: unknown[] = []): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (error) => {
      if (error !== null) return reject(error);
      db.all(statement, parameters, (err: Error | null, rows: Record<string, unknown>[]) => {
        db.close(() => (err === null ? resolve(rows) : reject(err)));
      });
    });
  });
}

/** Runs several statements (no parameters) on `path`. */
export async function exec(path: string, ...statements: string[]): Promise<void> {
  for (const statement of statements) await sql(path, statement);
}

/** The application's table of the tests: other columns nullable, as the compliance suite's inserts need. */
export const CONNECTIONS =
  'CREATE TABLE connections (id TEXT PRIMARY KEY, user_id TEXT, auth TEXT, auth_token_ix TEXT)';

/** The schema of a database file, as `sqlite_master` lists it. */
export function schemaOf(path: string): Promise<Record<string, unknown>[]> {
  return sql(path, 'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name');
}

let n = 0;

/**
 * A store for the compliance suite: a fresh file holding `connections`, and a table store whose
 * namespace is the one of the first key the suite uses (each suite test keys its records with a
 * prefix of its own), so that the suite's records are the table's rows; its other keys go to an
 * in-memory `sqliteStore` as keyStore.
 */
export async function complianceTableStore(
  dir: string,
  extra: Partial<SqliteTableStoreOptions> = {},
): Promise<VaultStore> {
  const path = join(dir, `compliance-${++n}.db`);
  await exec(path, CONNECTIONS);
  const keyStore = sqliteStore({ path: ':memory:' });
  let inner: VaultStore | undefined;
  const open = (key: string): VaultStore => {
    inner ??= sqliteTableStore({
      path,
      table: 'connections',
      idColumn: 'id',
      envelopeColumn: 'auth',
      namespace: key.slice(0, key.indexOf(':')),
      missingRows: 'insert',
      keyStore,
      ...extra,
    });
    return inner;
  };
  const call =
    <K extends keyof VaultStore>(name: K) =>
    (key: string, ...rest: unknown[]) =>
      (open(key)[name] as (...args: unknown[]) => unknown)(key, ...rest);
  const batch =
    <K extends keyof VaultStore>(name: K) =>
    (entries: readonly (readonly [string, ...string[]])[]) =>
      (open(entries[0]?.[0] ?? 'x:')[name] as (...args: unknown[]) => unknown)(entries);
  return {
    name: 'sqlite-table (compliance)',
    get: call('get'),
    set: call('set'),
    delete: call('delete'),
    has: call('has'),
    compareAndSet: call('compareAndSet'),
    entries: call('entries'),
    count: call('count'),
    getMany: (keys: readonly string[]) => (open(keys[0] ?? 'x:').getMany as (k: readonly string[]) => unknown)(keys),
    setMany: batch('setMany'),
    compareAndSetMany: batch('compareAndSetMany'),
    replacePrefixMany: batch('replacePrefixMany'),
    close: async () => {
      await inner?.close?.();
      await keyStore.close();
    },
  } as VaultStore;
}
