import type { CompleteStore } from '@credvault/core';
import { postgresTableStore } from '@credvault/postgres';
import { sqliteTableStore } from '@credvault/sqlite';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import type { OwnTable } from './backfill-cases.js';

const DDL = 'CREATE TABLE connections (id text PRIMARY KEY, user_id text, auth text)';
const TABLE = { table: 'connections', idColumn: 'id', envelopeColumn: 'auth', missingRows: 'insert' } as const;

/** `connections` in the SQLite file `path`, made with the driver directly (credvault never creates a table). */
export function sqliteOwnTable(path: string): OwnTable {
  const run = (sql: string) =>
    new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(path);
      db.exec(sql, (error) => db.close(() => (error === null ? resolve() : reject(error))));
    });
  return {
    name: 'SQLite',
    store: (): CompleteStore => sqliteTableStore({ path, ...TABLE }),
    reset: () => run(`DROP TABLE IF EXISTS connections; ${DDL}`),
    close: async () => {},
  };
}

/** `connections` in the PostgreSQL database at `url`. */
export function postgresOwnTable(url: string): OwnTable {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    name: 'PostgreSQL',
    store: () => postgresTableStore({ url, timeout: 60_000, ...TABLE }),
    reset: async () => {
      await pool.query(`DROP TABLE IF EXISTS connections; ${DDL}`);
    },
    close: () => pool.end(),
  };
}
