import type pg from 'pg';
import { timed, withClient } from './connection.js';
import type { Statements } from './sql.js';

/**
 * Creates the store's tables unless they exist. The existence check runs first and needs no
 * privilege beyond reading, so an existing table on a read-only replica is never touched; the
 * creation runs in one transaction behind an advisory lock, so instances that start at once
 * create it exactly once and the others wait and then find it.
 */
export async function ensureTables(pool: pg.Pool, sql: Statements, timeout: number): Promise<void> {
  await withClient(pool, timeout, async (client) => {
    const found = await client.query<{ found: boolean }>(timed(sql.exists, undefined, timeout));
    if (found.rows[0]?.found === true) return;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(timeout))}`);
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeout))}`);
      await client.query(sql.ddlLock);
      for (const statement of sql.create) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}
