import { randomBytes } from 'node:crypto';
import { type Lease, VaultError } from '@credvault/core';

/** What a lease needs of its store: its query runner (errors become `STORE_FAILED`) and the lease table. Internal. */
export interface LeaseContext {
  readonly run: <T>(operation: string, work: () => Promise<T>) => Promise<T>;
  readonly query: (text: string, values?: unknown[]) => Promise<unknown>;
  /** The lease table's name (`<table>_leases`), already sanitized. */
  readonly table: string;
}

/** Milliseconds since 1970 on SQLite's clock (the machine's: every process on a file shares it). */
const NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/** The SQL of a lease table. */
export interface LeaseStatements {
  readonly create: string;
  readonly take: string;
  readonly release: string;
  readonly extend: string;
}

/** The lease statements of `table`. */
export function leaseStatements(table: string): LeaseStatements {
  return {
    create: `CREATE TABLE IF NOT EXISTS ${table} (name TEXT PRIMARY KEY, token TEXT NOT NULL, expires INTEGER NOT NULL)`,
    // One statement, so one write transaction: a free or expired row is taken, a live one refused.
    take:
      `INSERT INTO ${table} (name, token, expires) VALUES (?, ?, ${NOW_MS} + ?) ` +
      `ON CONFLICT(name) DO UPDATE SET token = excluded.token, expires = excluded.expires WHERE ${table}.expires <= ${NOW_MS} ` +
      'RETURNING name',
    release: `DELETE FROM ${table} WHERE name = ? AND token = ? AND expires > ${NOW_MS} RETURNING name`,
    extend: `UPDATE ${table} SET expires = ${NOW_MS} + ? WHERE name = ? AND token = ? AND expires > ${NOW_MS} RETURNING name`,
  };
}

/**
 * Takes the lease `name` for `ttlMs`: a row of the lease table with a random owner token and an
 * expiry in ms on SQLite's clock, taken (inserted, or an expired row replaced) in one statement;
 * only the token's owner can release or extend it, and only while it lasts. `undefined` while
 * someone else holds it. The table is created on the first lease.
 * @throws VaultError `INVALID_ARGUMENT` (path `ttlMs`) for a ttl that is not a positive number; `STORE_FAILED`.
 */
export async function takeLease(ctx: LeaseContext, name: string, ttlMs: number): Promise<Lease | undefined> {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new VaultError('INVALID_ARGUMENT', 'lease ttlMs must be a positive number', { path: 'ttlMs' });
  }
  const { run, query } = ctx;
  const sql = leaseStatements(ctx.table);
  const rows = (text: string, values: unknown[]) => query(text, values) as Promise<unknown[]>;
  return run('lease', async () => {
    await query(sql.create);
    const token = randomBytes(16).toString('base64url');
    if ((await rows(sql.take, [name, token, Math.ceil(ttlMs)])).length === 0) return undefined;
    return {
      name,
      token,
      release: () => run('lease release', async () => (await rows(sql.release, [name, token])).length > 0),
      extend: (ms: number) =>
        run('lease extend', async () => (await rows(sql.extend, [Math.ceil(ms), name, token])).length > 0),
    };
  });
}
