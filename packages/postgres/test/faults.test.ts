import { isVaultError } from '@credvault/core';
import { usePostgresServer } from '@credvault/test-suite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../src/index.js';

const server = usePostgresServer({ beforeAll, afterAll });
const available = server.available;

/** The STORE_FAILED error of `promise`, and how long it took to arrive. */
async function failure(promise: Promise<unknown>): Promise<{ message: string; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isVaultError(error, 'STORE_FAILED')) throw new Error(`expected STORE_FAILED, got ${String(error)}`);
  return { message: error.message, ms: Date.now() - started };
}

describe.skipIf(!available)('postgresStore faults, against a real server', () => {
  it('names a wrong password, and never prints it', async () => {
    const url = server.url().replace('credvault-test-password', 'hunter2-wrong-secret');
    const store = postgresStore({ url }, { timeout: 2000 });
    const error = await failure(store.get('k'));
    expect(error.message).toContain('wrong password');
    expect(error.message).not.toContain('hunter2-wrong-secret');
    expect(error.message).toContain('postgres://postgres:***@127.0.0.1');
    await store.close();
  });

  it('names a missing database', async () => {
    const store = postgresStore({ url: server.server().urlFor('no_such_db') }, { timeout: 2000 });
    const error = await failure(store.set('k', 'v'));
    expect(error.message).toContain('the database does not exist');
    expect(error.message).toContain('/no_such_db');
    await store.close();
  });

  it('names a read-only database, reads what is there and changes nothing', async () => {
    await server.server().sql('CREATE DATABASE ro_replica');
    const url = server.server().urlFor('ro_replica');
    const writer = postgresStore({ url });
    await writer.set('k', 'v');
    await writer.close();
    // A hot-standby replica answers writes with the same SQLSTATE 25006 as this setting.
    await server.server().sql('ALTER DATABASE ro_replica SET default_transaction_read_only = on');
    const reader = postgresStore({ url });
    expect(await reader.get('k')).toBe('v');
    for (const write of [
      () => reader.set('k', 'changed'),
      () => reader.compareAndSet('k', 'v', 'changed'),
      () => reader.setMany([['k', 'changed']]),
    ]) {
      expect((await failure(write())).message).toContain('read-only');
    }
    expect(await reader.get('k')).toBe('v');
    await reader.close();
  });

  it('names a hot-standby replica: reads work, writes are refused and change nothing', async () => {
    const primary = postgresStore({ url: server.url() }, { table: 'replicated' });
    await primary.set('k', 'v');
    const standby = await server.server().startStandby();
    const replica = postgresStore({ url: standby.url }, { table: 'replicated' });
    let seen: string | undefined;
    for (let attempt = 0; attempt < 100 && seen === undefined; attempt++) {
      seen = await replica.get('k').catch(() => undefined);
      if (seen === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe('v');
    for (const write of [
      () => replica.set('k', 'changed'),
      () => replica.compareAndSetMany([['k', 'v', 'changed']]),
      () => replica.lease('job', 1000),
    ]) {
      expect((await failure(write())).message).toContain('hot-standby replica');
    }
    expect(await primary.get('k')).toBe('v');
    await Promise.all([primary.close(), replica.close()]);
    await standby.stop();
  }, 60_000);

  it.each([
    ['its own pool (the server cancels: statement_timeout)', false],
    ['your pool without statement_timeout (the client stops waiting)', true],
  ])('gives up on a statement that runs past the timeout, saying so, on %s', async (_, byo) => {
    const timeout = 500;
    const table = byo ? 'locked_byo' : 'locked';
    const own = byo ? new pg.Pool({ connectionString: server.url() }) : undefined;
    const store = postgresStore(own === undefined ? { url: server.url() } : { pool: own }, { table, timeout });
    await store.set('k', 'v');
    const holder = new pg.Client({ connectionString: server.url() });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM "public"."${table}" WHERE key = 'k' FOR UPDATE`);
    const error = await failure(store.set('k', 'blocked'));
    expect(error.message).toContain('statement timeout');
    expect(error.ms).toBeLessThan(timeout + 1500); // bounded: the store did not wait for the lock
    await holder.query('ROLLBACK');
    await holder.end();
    // Without statement_timeout on your pool the server may still run the abandoned UPDATE once
    // the lock is free (the README says to set it); the next write comes after it either way.
    await store.set('k', 'after');
    expect(await store.get('k')).toBe('after');
    await store.close();
    await own?.end();
  });

  it('names an exhausted pool of yours, sends nothing late, and never ends your pool', async () => {
    const pool = new pg.Pool({ connectionString: server.url(), max: 1 });
    const store = postgresStore({ pool }, { table: 'byo', timeout: 400 });
    await store.set('k', 'v');
    const busy = await pool.connect();
    const error = await failure(store.set('k', 'late'));
    expect(error.message).toContain('connection pool exhausted');
    expect(error.ms).toBeLessThan(400 + 3000);
    busy.release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.get('k')).toBe('v'); // the refused write was not sent once a connection freed up
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]); // still open
    await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_FAILED' });
    await pool.end();
  });

  it('passes TLS options through to the pool it creates', async () => {
    const store = postgresStore({ url: server.url() }, { ssl: { rejectUnauthorized: false }, timeout: 2000 });
    // The test server has no TLS: that the client asked for it proves the option reached pg.
    expect((await failure(store.get('k'))).message).toContain('does not support TLS');
    await store.close();
  });

  it('refuses names that are not plain SQL identifiers and URLs of other schemes', () => {
    for (const make of [
      () => postgresStore({ url: server.url() }, { table: 'x; DROP TABLE y' }),
      () => postgresStore({ url: server.url() }, { schema: 'Upper' }),
      () => postgresStore({ url: 'mysql://localhost/db' }),
    ]) {
      expect(() => make()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('creates its tables once when ten instances start at once on a fresh schema', async () => {
    const stores = Array.from({ length: 10 }, () => postgresStore({ url: server.url() }, { schema: 'fresh_ten' }));
    await Promise.all(stores.map((store, i) => store.set(`k${i}`, `v${i}`)));
    expect(await stores[0]?.count('k')).toBe(10);
    const tables = await server
      .server()
      .sql(`SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'fresh_ten'`);
    expect(tables).toBe('credvault,credvault_leases');
    await Promise.all(stores.map((store) => store.close()));
  });

  it('rejects promptly while the server is down and works again once it is back', async () => {
    const timeout = 800;
    const store = postgresStore({ url: server.url() }, { timeout });
    await store.set('k', 'v');
    await server.server().stop();
    for (const call of [() => store.get('k'), () => store.set('k', 'x'), () => store.compareAndSet('k', 'v', 'y')]) {
      const error = await failure(call());
      expect(error.message).toMatch(/server is down|connection was terminated|shutting down/);
      expect(error.ms).toBeLessThan(timeout + 3000);
    }
    await expect(store.entries('')[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'STORE_FAILED' });
    await server.server().restart();
    let back = false;
    for (let attempt = 0; attempt < 50 && !back; attempt++) {
      back = await store.get('k').then(
        (value) => value === 'v',
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return false;
        },
      );
    }
    expect(back).toBe(true);
    await store.close();
  }, 60_000);
});
