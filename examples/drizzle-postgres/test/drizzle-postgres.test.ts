import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { usePostgresServer } from '@credvault/test-suite';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCredvault } from '../src/credvault.js';
import { connections } from '../src/schema.js';
import { seedPlaintext } from '../src/seed.js';

const run = promisify(execFile);
const postgres = usePostgresServer({ beforeAll, afterAll });
const cwd = new URL('..', import.meta.url).pathname;
const CLI = new URL('../../../packages/cli/src/bin.ts', import.meta.url).pathname;

/** Runs the example as its `start` script does, with only the given variables of ours set. */
function start(env: { DATABASE_URL?: string; CREDVAULT_KEYS?: string }) {
  const { DATABASE_URL: _, CREDVAULT_KEYS: __, ...inherited } = process.env;
  const args = ['--conditions=@credvault/source', '--import', 'tsx', 'src/main.ts'];
  return run(process.execPath, args, { cwd, env: { ...inherited, ...env } });
}

// The tokens the example's seed stores in clear (src/seed.ts).
const SECRETS = [
  'ya29.access-alice',
  'ya29.access-bob',
  'ya29.access-carol',
  '1//refresh-alice',
  '1//refresh-bob',
  '1//refresh-carol',
  'ct_alice',
  'ct_bob',
  'ct_carol',
  'ya29.access-dave',
];
const BOB = '00000000-0000-4000-8000-000000000002';

describe.skipIf(!postgres.available)('examples/drizzle-postgres', () => {
  it('reads plaintext rows as legacy, migrates, rotates, finds by token and stores no token in clear', async () => {
    const keys = formatKeyEntry('2025-01', generateKey());
    const { stdout } = await start({ DATABASE_URL: postgres.url(), CREDVAULT_KEYS: keys });
    const step = (n: number) => {
      const end = stdout.indexOf(`== ${n + 1}.`);
      return stdout.slice(stdout.indexOf(`== ${n}.`), end === -1 ? undefined : end);
    };

    expect(step(1)).toContain('3 connections, tokens stored as plain JSON');
    // Read through the legacy reader: typed (dates are Dates), each one reported.
    expect(step(2).match(/legacy event: \S+ read by plaintext-json/g)).toHaveLength(3);
    expect(step(2)).toContain(`${BOB} bob: salesforce, expires 2030-01-02T00:00:00.000Z`);
    expect(step(2)).toContain('status: 3 records, 3 legacy');
    expect(step(3)).toContain('dry run: 3 would be migrated, nothing written');
    expect(step(3)).toContain('migrated 3, already sealed 0, failed 0');
    expect(step(3)).toContain('status: 3 records, 0 legacy, on 2025-01: 3');
    const newKid = /added and promoted ([\w-]+)/.exec(step(4))?.[1];
    expect(newKid).toMatch(/^rotated-\d+$/);
    expect(step(4)).toContain(`rewrapped 4 (the connections and the index key) to ${newKid}, failed 0`);
    expect(step(4)).toContain(`status: 3 records, 0 legacy, on ${newKid}: 3`);
    expect(step(4)).toContain('2025-01 now holds 0 records and 0 vault records: it can leave CREDVAULT_KEYS');
    expect(step(5)).toContain(`find(accessToken of bob) -> ${BOB} (bob, salesforce)`);
    expect(step(5)).toContain('find(an unknown token) -> no row');
    const inserted = /inserted (\S+) in a transaction; find\(its token\) -> (\S+)/.exec(step(5));
    expect(inserted?.[2]).toBe(inserted?.[1]);

    // What PostgreSQL holds: envelopes and index tokens only.
    const client = new pg.Client({ connectionString: postgres.url() });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; credential: string; access_token_ix: string | null }>(
        'SELECT id, credential, access_token_ix FROM connections ORDER BY id',
      );
      expect(rows).toHaveLength(4);
      expect(rows.map((r) => r.id)).toContain(inserted?.[1]);
      for (const row of rows) {
        expect(row.credential.startsWith(`cv1.${newKid}.`)).toBe(true);
        expect(row.access_token_ix).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }
      const everything = JSON.stringify(rows);
      for (const secret of SECRETS) expect(everything).not.toContain(secret);
    } finally {
      await client.end();
    }
  }, 120_000);

  it('rotates the migrated table with the credvault command, as the README shows', async () => {
    const pool = new pg.Pool({ connectionString: postgres.url() });
    const [old, next] = [formatKeyEntry('2025-01', generateKey()), formatKeyEntry('2026-01', generateKey())];
    try {
      await seedPlaintext(pool);
      const before = openCredvault(pool, parseKeyList(old), { adopting: true });
      expect((await before.vault.migrate()).migrated).toBe(3);
      await before.close();

      const table = [
        ...['--table', 'connections', '--id-column', 'id', '--envelope-column', 'credential'],
        ...['--index-column', 'accessToken=access_token_ix', '--namespace', 'connections'],
        ...['--key-store', `${postgres.url()}?table=credvault_keys`],
      ];
      const env = { ...process.env, CREDVAULT_KEYS: `${next},${old}`, CREDVAULT_STORE: postgres.url() };
      const credvault = (command: string) =>
        run(process.execPath, ['--conditions=@credvault/source', '--import', 'tsx', CLI, command, ...table], {
          cwd,
          env,
        });
      expect((await credvault('rotate')).stdout).toMatch(/rewrapped +4\n/); // 3 rows and the index key
      expect((await credvault('status')).stdout).toMatch(/2025-01 +0 {2}\(no records left: can be retired\)/);

      const after = openCredvault(pool, parseKeyList(next), { adopting: false });
      const db = drizzle({ client: pool });
      const found = await after.creds.find('accessToken', 'ya29.access-bob', (where) =>
        db.select().from(connections).where(where),
      );
      expect(found.map((row) => row.id)).toEqual([BOB]);
      await after.close();
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('says which variable is missing', async () => {
    const keys = formatKeyEntry('2025-01', generateKey());
    await expect(start({ CREDVAULT_KEYS: keys })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('DATABASE_URL is not set'),
    });
    await expect(start({ DATABASE_URL: postgres.url() })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('CREDVAULT_KEYS is not set'),
    });
  }, 60_000);
});
