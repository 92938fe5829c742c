import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { connectionSchema, createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { POSTGRES_BIN, usePostgresServer } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../src/index.js';

const exec = promisify(execFile);
const server = usePostgresServer({ beforeAll, afterAll });

/** Kills the test cluster the hard way (`pg_ctl stop -m immediate`: no goodbye to clients), as its owner. */
async function crash(dir: string): Promise<void> {
  const args = ['-D', join(dir, 'data'), '-w', '-t', '30', '-m', 'immediate', 'stop'];
  const pgCtl = join(POSTGRES_BIN, 'pg_ctl');
  // The test-suite runs the cluster as `nobody` when the tests run as root (initdb refuses root).
  if (process.getuid?.() === 0) await exec('runuser', ['-u', 'nobody', '--', pgCtl, ...args], { cwd: dir });
  else await exec(pgCtl, args, { cwd: dir });
}

interface Report {
  readonly recovered: boolean[];
  readonly acknowledged: string[];
  readonly failures: Record<'set' | 'lease' | 'adapter', Record<string, number>>;
  readonly succeeded: Record<'set' | 'lease' | 'adapter', number>;
  readonly slowest: number;
  readonly crashes: string[];
}

describe.skipIf(!server.available)('postgresStore through a PostgreSQL crash and restart', () => {
  it.each([
    ['the pool it creates from a url', 'url'],
    ['your pool', 'pool'],
  ])(
    'keeps the application alive on %s: calls fail STORE_FAILED at once, recover, and lose no acknowledged write',
    async (_, mode) => {
      // Durable commits for this database: the test cluster runs with synchronous_commit=off, which
      // would let an immediate stop drop commits already acknowledged, whatever the store does.
      const database = `outage_${mode}`;
      await server.server().sql(`CREATE DATABASE ${database}`);
      await server.server().sql(`ALTER DATABASE ${database} SET synchronous_commit = on`);
      const url = server.server().urlFor(database);
      const keys = formatKeyEntry('k1', generateKey());
      const worker = new URL('./support/outage-writer.ts', import.meta.url).pathname;
      const child = spawn(process.execPath, ['--conditions=@credvault/source', '--import', 'tsx', worker, url, mode], {
        cwd: new URL('..', import.meta.url).pathname,
        env: { ...process.env, CREDVAULT_KEYS: keys },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const events: { event: string }[] = [];
      const waiters: (() => void)[] = [];
      createInterface({ input: child.stdout }).on('line', (line) => {
        events.push(JSON.parse(line) as { event: string });
        for (const wake of waiters.splice(0)) wake();
      });
      /** The child's `name` event, or a failure naming what it printed when it exits or `ms` passes. */
      const event = async (name: string, ms: number) => {
        const until = Date.now() + ms;
        let done = false;
        void exited.then(() => {
          done = true;
          for (const wake of waiters.splice(0)) wake();
        });
        for (;;) {
          const found = events.find((e) => e.event === name);
          if (found !== undefined) return found;
          if (done || Date.now() > until) {
            throw new Error(`no "${name}" from the child (exit ${child.exitCode}); stderr:\n${stderr.slice(-2000)}`);
          }
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 200);
          });
        }
      };
      try {
        await event('ready', 20_000);
        await new Promise((resolve) => setTimeout(resolve, 300)); // mid-run: every loop has a call in flight
        await crash(server.server().dir);
        await event('failing', 5000);
        await new Promise((resolve) => setTimeout(resolve, 1500)); // the outage goes on: calls keep failing
        await server.server().restart();
        const report = (await event('report', 60_000)) as unknown as Report;
        expect(await exited).toBe(0);

        expect(report.crashes).toEqual([]); // no uncaughtException, no unhandledRejection
        // Every failed call of the store failed with STORE_FAILED, and there were such calls.
        expect(Object.keys(report.failures.set)).toEqual(['STORE_FAILED']);
        expect(Object.keys(report.failures.lease)).toEqual(['STORE_FAILED']);
        expect(Object.keys(report.failures.adapter).length).toBeGreaterThan(0);
        expect(report.slowest).toBeLessThan(1000 + 1500); // no call hung: each failed within the timeout
        // Every loop (four writers, leases, the adapter) succeeded again, ten times in a row.
        expect(report.recovered).toEqual([true, true, true, true, true, true]);

        const store = postgresStore({ url });
        const vault = createVault({
          store,
          keyring: parseKeyList(keys),
          schema: connectionSchema,
          namespace: 'outage',
        });
        const stored = new Map<string, string>();
        for await (const [id, record] of vault.entries()) stored.set(id, record.accessToken);
        expect(report.acknowledged.length).toBeGreaterThan(20);
        const lost = report.acknowledged.filter((id) => stored.get(id) !== `token-of-${id}`);
        expect(lost).toEqual([]); // every write the child saw acknowledged is there, intact
        await vault.close();
        await store.close();
      } finally {
        child.kill('SIGKILL');
      }
    },
    120_000,
  );
});

describe.skipIf(!server.available)('postgresStore when the server ends one connection', () => {
  it('discards a client whose connection the server terminated mid-statement, and goes on', async () => {
    const store = postgresStore({ url: server.url() }, { table: 'terminated', timeout: 5000 });
    await store.set('k', 'v');
    const released: (Error | undefined)[] = [];
    store.pool.on('release', (error: Error | undefined) => void released.push(error));
    const sleeping = store.adapter.query('SELECT pg_sleep(4) AS slept').then(
      () => undefined,
      (error: unknown) => error, // handled now: it may fail before the loop below ends
    );
    const marker = "query = 'SELECT pg_sleep(4) AS slept' AND pid <> pg_backend_pid()";
    let killed = '';
    for (let attempt = 0; attempt < 50 && killed !== 't'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      killed = await server
        .server()
        .sql(`SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE ${marker}`);
    }
    expect(killed).toBe('t');
    // FATAL 57P01 for the statement, then the socket closes: an 'error' event on the checked-out client.
    expect(await sleeping).toMatchObject({ code: '57P01' });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the socket's end arrives after the message
    expect(released.some((error) => error !== undefined)).toBe(true); // release(err): the pool drops it
    expect(await store.get('k')).toBe('v'); // on a fresh connection
    await store.close();
  });
});
