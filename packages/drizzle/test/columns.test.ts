import { connectionSchema, isVaultError, plaintextJson, type VaultError, type VaultEvent } from '@credvault/core';
import { usePostgresServer } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { credentials } from '../src/index.js';
import { connection, type Harness, pgHarness, sqliteHarness, testSealer } from './support/harness.js';

const { describe, expect, it, afterEach } = vitest;
const server = usePostgresServer(vitest);

const dialects: [string, boolean, (legacy?: boolean) => Promise<Harness>][] = [
  ['SQLite (better-sqlite3)', true, async (legacy) => sqliteHarness(testSealer(legacy ? plaintextJson() : undefined))],
  [
    'PostgreSQL (pg)',
    server.available,
    (legacy) => pgHarness(server.url(), testSealer(legacy ? plaintextJson() : undefined)),
  ],
];

async function rejection(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isVaultError(error)) throw new Error(`expected a VaultError, got ${String(error)}`);
  return error;
}

describe.each(dialects)('credentials() on %s', (_name, available, open) => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });
  const start = async (legacy?: boolean) => {
    h = await open(legacy);
    return h;
  };

  it.skipIf(!available)(
    'round-trips a row: the column holds an envelope bound to the id, select + open gives the typed record',
    async () => {
      const { creds, insert, select } = await start();
      await insert([await creds.seal({ id: 'c1', provider: 'hubspot', credential: connection(1) })]);
      const [stored] = await select();
      expect(stored?.credential).toMatch(/^cv1\.k1\./);
      expect(stored?.credential).not.toContain(connection(1).accessToken);
      expect(stored?.accessTokenIx).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [row] = await creds.open(await select());
      expect(row).toEqual({
        id: 'c1',
        provider: 'hubspot',
        credential: connection(1),
        accessTokenIx: stored?.accessTokenIx,
      });
      expect(row?.credential?.expirationTimestamp).toBeInstanceOf(Date);
    },
  );

  it.skipIf(!available)('seals and inserts a batch in one statement, and a null credential stays null', async () => {
    const { creds, insert, select } = await start();
    const rows = Array.from({ length: 50 }, (_, i) => ({
      id: `c${i}`,
      provider: 'hubspot',
      credential: connection(i),
    }));
    await insert([...(await creds.seal(rows)), await creds.seal({ id: 'empty', provider: 'x', credential: null })]);
    const opened = await creds.open(await select());
    expect(opened).toHaveLength(51);
    for (const row of opened) {
      if (row.id === 'empty') expect(row).toMatchObject({ credential: null, accessTokenIx: null });
      else expect(row.credential).toEqual(connection(Number(row.id.slice(1))));
    }
  });

  it.skipIf(!available)('updates a row with a record sealed for its id; the old token no longer finds it', async () => {
    const { creds, insert, update, select } = await start();
    await insert([await creds.seal({ id: 'c1', provider: 'p', credential: connection(1) })]);
    await update('c1', await creds.seal({ id: 'c1', credential: connection(2) }));
    const [row] = await creds.open(await select());
    expect(row).toMatchObject({ id: 'c1', provider: 'p', credential: connection(2) });
    expect(await creds.find('accessToken', connection(1).accessToken, select)).toEqual([]);
    expect((await creds.find('accessToken', connection(2).accessToken, select)).map((r) => r.id)).toEqual(['c1']);
  });

  it.skipIf(!available)('writes inside a transaction; a rolled-back one leaves nothing', async () => {
    const { creds, insertInTransaction, select, count } = await start();
    const sealed = await creds.seal([
      { id: 'a', provider: 'p', credential: connection(1) },
      { id: 'b', provider: 'p', credential: connection(2) },
    ]);
    await expect(insertInTransaction(sealed, true)).rejects.toThrow(/rollback/i);
    expect(await count()).toBe(0);
    await insertInTransaction(sealed, false);
    expect((await creds.open(await select())).map((r) => r.credential?.accessToken).sort()).toEqual(
      [connection(1).accessToken, connection(2).accessToken].sort(),
    );
  });

  it.skipIf(!available)('refuses a value copied to another row: DECRYPT_FAILED', async () => {
    const { creds, insert, rawWrite, select } = await start();
    const [a] = await creds.seal([{ id: 'a', provider: 'p', credential: connection(1) }]);
    await insert([a as never]);
    await rawWrite('b', 'p', a?.credential as string);
    const rows = await select();
    const b = rows.find((r) => r.id === 'b');
    const error = await rejection(creds.open(b as never));
    expect(error.code).toBe('DECRYPT_FAILED');
    await expect(creds.open(rows.filter((r) => r.id === 'a'))).resolves.toHaveLength(1);
  });

  it.skipIf(!available)('looks a row up by its token, and verifies the opened field as findBy does', async () => {
    const { creds, insert, select } = await start();
    await insert(await creds.seal([1, 2, 3].map((i) => ({ id: `c${i}`, provider: 'p', credential: connection(i) }))));
    const token = connection(2).accessToken;
    const found = await creds.find('accessToken', token, (where) => select(where));
    expect(found.map((r) => r.id)).toEqual(['c2']);
    expect(found[0]?.credential?.accessToken).toBe(token);
    expect(await select(await creds.where('accessToken', token))).toHaveLength(1);
    expect(await creds.find('accessToken', 'no such token', (where) => select(where))).toEqual([]);
    expect(await creds.find('accessToken', '', (where) => select(where))).toEqual([]);
    // A row whose index token matches but whose record does not (a stale token) is not returned.
    const stale = await creds.term('accessToken', token);
    const rows = (await select()).map((r) => (r.id === 'c3' ? { ...r, accessTokenIx: stale ?? null } : r));
    const verified = await creds.find('accessToken', token, async () => rows.filter((r) => r.accessTokenIx === stale));
    expect(verified.map((r) => r.id)).toEqual(['c2']);
  });

  it.skipIf(!available)('refuses a plaintext record or string in the column, and stores nothing', async () => {
    const { insertUnchecked, count } = await start();
    for (const value of [connection(1), JSON.stringify(connection(1)), 'plain', 42]) {
      const error = await rejection(insertUnchecked({ id: 'c1', provider: 'p', credential: value }));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.path).toBe('credential');
      expect(error.message).not.toContain(connection(1).accessToken);
      expect(error.message).not.toContain('plain');
    }
    const ix = await rejection(insertUnchecked({ id: 'c1', provider: 'p', accessTokenIx: connection(1).accessToken }));
    expect([ix.code, ix.path]).toEqual(['INVALID_ARGUMENT', 'access_token_ix']);
    expect(await count()).toBe(0);
  });

  it.skipIf(!available)(
    'reads legacy plaintext JSON rows through plaintextJson(), reported as legacy events',
    async () => {
      const { creds, insert, rawWrite, select, sealer } = await start(true);
      const events: VaultEvent[] = [];
      sealer.on('legacy', (event) => events.push(event));
      await rawWrite('old', 'p', JSON.stringify(connection(7)));
      await insert([await creds.seal({ id: 'new', provider: 'p', credential: connection(8) })]);
      const rows = await creds.open(await select());
      expect(Object.fromEntries(rows.map((r) => [r.id, r.credential]))).toEqual({
        old: connection(7),
        new: connection(8),
      });
      expect(events.map((e) => e.id)).toEqual(['old']);
      // Re-sealing the opened legacy row is its migration to cv1.
      const legacyRow = rows.find((r) => r.id === 'old');
      const resealed = await creds.seal({ id: 'old', provider: 'p', credential: legacyRow?.credential ?? null });
      expect(resealed.credential).toMatch(/^cv1\./);
    },
  );

  it.skipIf(!available)('without a legacy reader a plaintext row fails to open: DECRYPT_FAILED', async () => {
    const { creds, rawWrite, select } = await start();
    await rawWrite('old', 'p', JSON.stringify(connection(7)));
    expect((await rejection(creds.open(await select()))).code).toBe('DECRYPT_FAILED');
  });

  it.skipIf(!available)('needs the row id before sealing', async () => {
    const { creds } = await start();
    const error = await rejection(creds.seal([{ provider: 'p', credential: connection(1) } as never]));
    expect([error.code, error.path]).toEqual(['INVALID_ARGUMENT', 'rows.0.id']);
  });
});

describe('credentials() checks its table and columns', () => {
  it('refuses what is not a Drizzle table, a sealed column or a blind-index column', async () => {
    const h = sqliteHarness();
    const bad = (options: object, table: unknown = h.table) => {
      try {
        credentials(h.sealer, table as never, options as never);
      } catch (error) {
        return isVaultError(error) ? `${error.code} ${error.path}` : String(error);
      }
      return 'accepted';
    };
    expect(bad({ id: 'id', column: 'credential' }, {})).toBe('INVALID_ARGUMENT table');
    expect(bad({ id: 'nope', column: 'credential' })).toBe('INVALID_ARGUMENT id');
    expect(bad({ id: 'provider', column: 'credential' })).toBe('INVALID_ARGUMENT id');
    expect(bad({ id: 'id', column: 'provider' })).toBe('INVALID_ARGUMENT column');
    expect(bad({ id: 'id', column: 'accessTokenIx' })).toBe('INVALID_ARGUMENT column');
    expect(bad({ id: 'id', column: 'credential', index: { accessToken: 'credential' } })).toBe(
      'INVALID_ARGUMENT index.accessToken',
    );
    expect(bad({ id: 'id', column: 'credential', index: { accessToken: 'accessTokenIx' } })).toBe('accepted');
    expect(connectionSchema).toBeDefined();
    await h.close();
  });
});

describe.skipIf(!server.available)('a uuid primary key on PostgreSQL', () => {
  it('binds the envelope to the id as PostgreSQL reads it back (lower case)', async () => {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { pgTable, uuid } = await import('drizzle-orm/pg-core');
    const { credentials: pgCredentials, sealed } = await import('../src/pg.js');
    const pool = new pg.Pool({ connectionString: server.url(), max: 2 }).on('error', () => {});
    try {
      await pool.query('CREATE TABLE uuid_connections (id uuid PRIMARY KEY, credential text)');
      const table = pgTable('uuid_connections', { id: uuid('id').primaryKey(), credential: sealed('credential') });
      const db = drizzle({ client: pool });
      const creds = pgCredentials(testSealer(), table, { id: 'id', column: 'credential' });
      const id = '0B6F3A9E-5C1D-4F7E-9A2B-00000000000A';
      await db.insert(table).values(await creds.seal({ id, credential: connection(1) }));
      const [row] = await creds.open(await db.select().from(table));
      expect(row).toEqual({ id: id.toLowerCase(), credential: connection(1) });
    } finally {
      await pool.end();
    }
  });
});
