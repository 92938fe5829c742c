/** Opening a SQLite file, its pragmas, and the error wrapper every store operation runs in. Internal. */
import sqlite3 from 'sqlite3';
import { sqliteError } from './errors.js';

/** Runs one SQL statement with positional parameters; the rows it returns. */
export type Query = (sql: string, parameters?: readonly unknown[]) => Promise<unknown[]>;

/** An open sqlite3 connection. */
export interface Connection {
  readonly query: Query;
  close(): Promise<void>;
}

/**
 * Opens `path` with the sqlite3 driver, the way `@keyv/sqlite` does for `sqliteStore` (busy
 * timeout set on the connection), but without creating any table, nor the file unless `create`.
 */
export function openConnection(path: string, busyTimeout: number, create: boolean): Promise<Connection> {
  const mode = sqlite3.OPEN_READWRITE | (create ? sqlite3.OPEN_CREATE : 0);
  return new Promise((resolve, reject) => {
    const database = new sqlite3.Database(path, mode, (error) => {
      if (error !== null) return reject(error);
      database.configure('busyTimeout', busyTimeout);
      resolve({
        query: (sql, parameters = []) =>
          new Promise((done, fail) =>
            database.all(sql, parameters as unknown[], (err: Error | null, rows: unknown[]) =>
              err === null ? done(rows) : fail(err),
            ),
          ),
        close: () => new Promise((done, fail) => database.close((err) => (err === null ? done() : fail(err)))),
      });
    });
  });
}

/** The pragmas of a store's connection: WAL for a file that is written, `query_only` for a read-only store. */
export async function configureConnection(query: Query, path: string, readOnly: boolean): Promise<void> {
  if (path !== ':memory:' && !readOnly) await query('PRAGMA journal_mode = WAL');
  if (readOnly) await query('PRAGMA query_only = ON');
}

/** Runs one store operation after `ready`; a failure becomes `STORE_FAILED` (a `VaultError` passes unchanged). */
export type Run = <T>(operation: string, work: () => Promise<T>) => Promise<T>;

/** The {@link Run} of a store on `path` whose set-up is `ready`. */
export function runner(path: string, ready: Promise<unknown>): Run {
  ready.catch(() => {}); // reported by the first operation
  return async (operation, work) => {
    try {
      await ready;
      return await work();
    } catch (error) {
      throw sqliteError(operation, path, error);
    }
  };
}
