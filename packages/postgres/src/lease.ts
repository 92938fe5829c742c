import { randomBytes } from 'node:crypto';
import { type Lease, VaultError } from '@credvault/core';
import type { Statements } from './sql.js';

/** What a lease needs of its store. Internal. */
export interface LeaseContext {
  /** Runs one operation's queries (`work` gets its query function) within the store's timeout. */
  readonly run: <T>(
    operation: string,
    work: (query: (text: string, values?: unknown[]) => Promise<unknown[]>) => Promise<T>,
  ) => Promise<T>;
  readonly sql: Statements;
}

/**
 * Takes the lease `name` for `ttlMs`: one row in `<table>_leases` with a random owner token
 * and an expiry on the server's clock. The insert takes a free or expired row and refuses a
 * live one, atomically; only the token's owner can release or extend it.
 */
export function takeLease(ctx: LeaseContext, name: string, ttlMs: number): Promise<Lease | undefined> {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    return Promise.reject(
      new VaultError('INVALID_ARGUMENT', 'lease ttlMs must be a positive number', { path: 'ttlMs' }),
    );
  }
  const { run, sql } = ctx;
  return run('lease', async (query) => {
    const token = randomBytes(16).toString('base64url');
    if ((await query(sql.takeLease, [name, token, Math.ceil(ttlMs)])).length === 0) return undefined;
    return {
      name,
      token,
      release: () => run('lease release', async (query) => (await query(sql.releaseLease, [name, token])).length > 0),
      extend: (ms: number) =>
        run('lease extend', async (query) => (await query(sql.extendLease, [name, token, Math.ceil(ms)])).length > 0),
    };
  });
}
