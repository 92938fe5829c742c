import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  connectionSchema,
  createSealer,
  createVault,
  formatKeyEntry,
  generateKey,
  parseKeyList,
  type VaultStore,
} from '@credvault/core';
import { postgresStore, postgresTableStore } from '@credvault/postgres';
import * as sqlite from '@credvault/sqlite';
import { suiteConnection, usePostgresServer } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { cli } from './support/io.js';

const { describe, it, expect, afterAll } = vitest;
const server = usePostgresServer(vitest);
const sql = (statement: string) => server.server().sql(statement);
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
const KEYS = { CREDVAULT_KEYS: `${K2},${K1}` };
let n = 0;

/** A `connections` table of the user's, 3 rows sealed under k1 with a blind index on accessToken; the flags to reach it. */
async function seeded(): Promise<{ table: string; flags: string[]; ids: string[] }> {
  n += 1;
  const table = `connections_${n}`;
  await sql(`CREATE TABLE ${table} (id uuid PRIMARY KEY, user_id text NOT NULL, auth text, auth_token_ix text)`);
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  await sql(`INSERT INTO ${table} (id, user_id) VALUES ${ids.map((id) => `('${id}', 'u')`).join(', ')}`);
  const keyStore = postgresStore({ url: server.url() }, { table: `${table}_keys` });
  const store = postgresTableStore({
    url: server.url(),
    table,
    idColumn: 'id',
    envelopeColumn: 'auth',
    indexColumns: { accessToken: 'auth_token_ix' },
    keyStore,
  });
  const vault = createVault({ store, keyring: parseKeyList(K1), schema: connectionSchema, index: ['accessToken'] });
  for (const id of ids) await vault.set(id, suiteConnection(id));
  await Promise.all([store.close(), keyStore.close()]);
  const flags = [
    '--store',
    server.url(),
    '--table',
    table,
    '--id-column',
    'id',
    '--envelope-column',
    'auth',
    '--index-column',
    'accessToken=auth_token_ix',
    '--key-store',
    `${server.url()}?table=${table}_keys`,
  ];
  return { table, flags, ids };
}

describe.skipIf(!server.available)('credvault on a PostgreSQL table of yours (--table)', () => {
  it('status, rotate and verify work on the table, the index key in --key-store', async () => {
    const { table, flags, ids } = await seeded();
    const status = await cli(['status', ...flags], KEYS);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('3 records, primary kid k2');
    expect(status.stdout).toContain("the vault's own: 1 index key");
    const before = await sql(`SELECT auth FROM ${table} ORDER BY id`);

    const rotate = await cli(['rotate', ...flags, '--batch-size', '2'], KEYS);
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toMatch(/rewrapped +4/); // 3 records and the index key
    const after = await sql(`SELECT auth FROM ${table} ORDER BY id`);
    const tails = (text: string) => text.split('\n').map((envelope) => envelope.split('.').slice(3).join('.'));
    expect(after.split('\n').every((envelope) => envelope.startsWith('cv1.k2.'))).toBe(true);
    expect(tails(after)).toEqual(tails(before));
    expect(await sql(`SELECT count(*) FROM ${table} WHERE user_id = 'u' AND auth_token_ix IS NOT NULL`)).toBe('3');

    const verify = await cli(['verify', ...flags, '--json'], KEYS);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ scanned: 4, ok: 4, failed: [] });
    const json = JSON.parse((await cli(['status', ...flags, '--json'], KEYS)).stdout);
    expect(json).toMatchObject({ total: 3, kids: { k2: 3, k1: 0 }, vaultRecords: { indexKey: 1, notOnPrimary: 0 } });
    expect(ids).toHaveLength(3);
  });

  it('migrate fills the index columns of the rows it migrates (--index-column)', async () => {
    n += 1;
    const table = `legacy_${n}`;
    await sql(`CREATE TABLE ${table} (id uuid PRIMARY KEY, auth text, auth_token_ix text)`);
    const ids = [randomUUID(), randomUUID()];
    const values = ids.map((id) => `('${id}', '${JSON.stringify(suiteConnection(id)).replaceAll("'", "''")}')`);
    await sql(`INSERT INTO ${table} (id, auth) VALUES ${values.join(', ')}`);
    const keysUrl = `${server.url()}?table=${table}_keys`;
    const flags = ['--store', server.url(), '--table', table, '--id-column', 'id', '--envelope-column', 'auth'];
    const index = ['--index-column', 'accessToken=auth_token_ix', '--key-store', keysUrl];
    const run = await cli(['migrate', ...flags, ...index], KEYS);
    expect(run.code, run.stderr).toBe(0);
    const keyStore = postgresStore({ url: server.url() }, { table: `${table}_keys` });
    const sealer = createSealer({
      keyring: parseKeyList(K2),
      schema: connectionSchema,
      index: ['accessToken'],
      keyStore,
    });
    const rows = await server.server().sql(`SELECT id::text AS id, auth_token_ix FROM ${table} ORDER BY id`);
    for (const id of ids) {
      const term = await sealer.term('accessToken', suiteConnection(id).accessToken);
      expect(rows).toContain(`${id}|${term}`);
    }
    await sealer.close();
    const notSecret = await cli(
      ['migrate', ...flags, '--index-column', 'status=auth_token_ix', '--key-store', keysUrl],
      KEYS,
    );
    expect(notSecret.code).toBe(2);
  });

  it('works without --key-store on a table without index, and reports a missing table (exit 2)', async () => {
    const { table } = await seeded();
    const plain = ['--store', server.url(), '--table', table, '--id-column', 'id', '--envelope-column', 'auth'];
    // The records alone: status needs no vault record (the index key is counted only where it is).
    const status = await cli(['status', ...plain, '--json'], KEYS);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ total: 3, kids: { k1: 3 } });
    const missing = await cli(['status', ...plain.slice(0, 3), 'no_such_table', ...plain.slice(4)], KEYS);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('table "no_such_table" does not exist');
  });

  it.each([
    [['--table', 't', '--envelope-column', 'auth'], '--id-column'],
    [['--table', 't', '--id-column', 'id'], '--envelope-column'],
    [['--id-column', 'id'], '--table'],
    [['--key-store', 'sqlite:./k.db'], '--table'],
    [['--key-store-file', './k.url'], '--table'],
    [
      ['--table', 't', '--id-column', 'id', '--envelope-column', 'auth', '--key-store', 'x', '--key-store-file', 'y'],
      '--key-store-file',
    ],
    [
      ['--table', 't', '--id-column', 'id', '--envelope-column', 'auth', '--index-column', 'accessToken'],
      '--index-column',
    ],
  ])('refuses %j as a usage error naming %s (exit 2), before reading keys or connecting', async (args, flag) => {
    const result = await cli(['rotate', '--store', 'postgres://nobody@127.0.0.1:1/none', ...args], {
      CREDVAULT_KEYS: undefined,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
    expect(result.stderr).not.toContain('CREDVAULT_KEYS');
  });

  it('refuses --table on a store URL that names a credvault table, and on Redis', async () => {
    const table = ['--table', 't', '--id-column', 'id', '--envelope-column', 'auth'];
    const named = await cli(['status', '--store', `${server.url()}?table=x`, ...table], KEYS);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('must not name a table');
    const redis = await cli(['status', '--store', 'redis://127.0.0.1:1', ...table], KEYS);
    expect(redis.code).toBe(2);
    expect(redis.stderr).toContain('--table needs a postgres:// or sqlite:<path> store');
  });
});

const hasSqliteTableStore = typeof (sqlite as Record<string, unknown>).sqliteTableStore === 'function';

describe.skipIf(!hasSqliteTableStore)('credvault on a SQLite table of yours (--table)', () => {
  const exec = promisify(execFile);
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('status, rotate and verify work on the table, the index key in a --key-store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credvault-cli-table-'));
    dirs.push(dir);
    const path = join(dir, 'app.db');
    await exec('sqlite3', [
      path,
      'CREATE TABLE connections (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, auth TEXT, ix TEXT);',
    ]);
    await exec('sqlite3', [path, "INSERT INTO connections (id, user_id) VALUES ('a', 'u'), ('b', 'u');"]);
    const keysPath = join(dir, 'keys.db');
    const keyStore = sqlite.sqliteStore({ path: keysPath });
    const make = (sqlite as unknown as { sqliteTableStore: (o: object) => VaultStore }).sqliteTableStore;
    const table = { table: 'connections', idColumn: 'id', envelopeColumn: 'auth', indexColumns: { accessToken: 'ix' } };
    const store = make({ path, ...table, keyStore });
    const vault = createVault({ store, keyring: parseKeyList(K1), schema: connectionSchema, index: ['accessToken'] });
    for (const id of ['a', 'b']) await vault.set(id, suiteConnection(id, { accessToken: `token-${id}` }));
    await store.close?.();
    await keyStore.close();
    const flags = [
      ...['--store', `sqlite:${path}`, '--table', 'connections', '--id-column', 'id', '--envelope-column', 'auth'],
      ...['--index-column', 'accessToken=ix', '--key-store', `sqlite:${keysPath}`],
    ];
    const status = JSON.parse((await cli(['status', ...flags, '--json'], KEYS)).stdout);
    expect(status).toMatchObject({ total: 2, vaultRecords: { indexKey: 1 } });
    expect((await cli(['rotate', ...flags], KEYS)).code).toBe(0);
    const verify = await cli(['verify', ...flags, '--json'], KEYS);
    expect(JSON.parse(verify.stdout)).toMatchObject({ scanned: 3, failed: [] });
    expect((await exec('sqlite3', [path, 'SELECT auth FROM connections;'])).stdout).toMatch(/^cv1\.k2\./);
    // The key store's URL from a file (one line), out of ps; a file of two lines is a usage error.
    const urlFile = join(dir, 'key-store.url');
    await writeFile(urlFile, `sqlite:${keysPath}\n`);
    const fromFile = flags.slice(0, -2).concat('--key-store-file', urlFile);
    const again = JSON.parse((await cli(['status', ...fromFile, '--json'], KEYS)).stdout);
    expect(again).toMatchObject({ total: 2, vaultRecords: { indexKey: 1 }, kids: { k2: 2 } });
    await writeFile(urlFile, `sqlite:${keysPath}\nsqlite:/elsewhere.db\n`);
    const twoLines = await cli(['status', ...fromFile], KEYS);
    expect(twoLines.code).toBe(2);
    expect(twoLines.stderr).toContain('must hold the key store URL on one line');
    expect(twoLines.stderr).not.toContain(keysPath);
  });
});
