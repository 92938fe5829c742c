import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ConnectionAuthInput,
  connectionAuthSchema,
  createKeyring,
  createVault,
  generateKey,
  isVaultError,
  type VaultStore,
} from '@credvault/core';
import {
  basicStoreSuite,
  batchSuite,
  capabilitiesSuite,
  compareAndSetSuite,
  countSuite,
  iterationSuite,
  replacePrefixSuite,
  useTempDir,
  vaultOnStoreSuite,
} from '@credvault/test-suite';
import fc from 'fast-check';
import * as vitest from 'vitest';
import { type SqliteTableStoreOptions, sqliteStore, sqliteTableStore } from '../src/index.js';
import { CONNECTIONS, complianceTableStore, exec, schemaOf, sql } from './support/table-db.js';

const { describe, expect, it } = vitest;
const dir = await useTempDir('sqlite-table', vitest);
let files = 0;

/** A fresh database file holding `connections` with rows `ids` (user_id `u-<id>`, no envelope). */
async function connections(ids: readonly string[] = []): Promise<string> {
  const path = join(dir, `t-${++files}.db`);
  await exec(path, CONNECTIONS);
  for (const id of ids) await sql(path, 'INSERT INTO connections (id, user_id) VALUES (?, ?)', [id, `u-${id}`]);
  return path;
}

const base = { table: 'connections', idColumn: 'id', envelopeColumn: 'auth' } as const;
const oldKey = { kid: 'old', key: generateKey() };
const newKey = { kid: 'new', key: generateKey() };

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; path?: string | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isVaultError(error)) return { code: error.code, path: error.path, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

// Every part of the compliance suite applies: the table store has every capability but leases
// (its keyStore here has none either). With missingRows: 'insert', a key of the suite's
// namespace is a row of `connections` (id, auth), its other columns left NULL.
for (const [name, extra] of [
  ['sqlite table store', {}],
  ['sqlite table store (pages of 7)', { pageSize: 7 }],
] as const) {
  describe(`${name} compliance`, () => {
    const make = () => complianceTableStore(dir, extra);
    capabilitiesSuite(vitest, make);
    basicStoreSuite(vitest, make);
    iterationSuite(vitest, make, { records: 300 });
    compareAndSetSuite(vitest, make);
    replacePrefixSuite(vitest, make);
    countSuite(vitest, make);
    batchSuite(vitest, make);
    vaultOnStoreSuite(vitest, make);
  });
}

describe('sqliteTableStore: rows it does not own', () => {
  it("refuses a write to an id without a row under missingRows 'refuse' (the default) with NOT_FOUND, writing nothing", async () => {
    const path = await connections(['c1', 'c2']);
    const store = sqliteTableStore({ path, ...base });
    const vault = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionAuthSchema });
    const refused = await failure(vault.set('c3', { accessToken: 'a' }));
    expect(refused.code).toBe('NOT_FOUND');
    expect(refused.message).toContain('insert the row first');
    expect(refused.message).toContain("missingRows: 'insert'");
    expect((await failure(store.set('default:c3', 'x'))).code).toBe('NOT_FOUND');
    expect((await failure(store.compareAndSet('default:c3', undefined, 'x'))).code).toBe('NOT_FOUND');
    // A batch with one missing id writes none of it.
    expect(
      (
        await failure(
          store.setMany([
            ['default:c1', 'v1'],
            ['default:c3', 'v3'],
            ['default:c2', 'v2'],
          ]),
        )
      ).code,
    ).toBe('NOT_FOUND');
    expect(await sql(path, 'SELECT id, auth FROM connections ORDER BY id')).toEqual([
      { id: 'c1', auth: null },
      { id: 'c2', auth: null },
    ]);
    await store.setMany([
      ['default:c1', 'v1'],
      ['default:c2', 'v2'],
    ]);
    expect(await store.getMany(['default:c1', 'default:c2', 'default:c3'])).toEqual(['v1', 'v2', undefined]);
    await store.close();
  });

  it('delete clears the envelope and keeps the row, its other columns unchanged', async () => {
    const path = await connections(['c1']);
    const store = sqliteTableStore({ path, ...base });
    const vault = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionAuthSchema });
    await vault.set('c1', { accessToken: 'at-1' });
    expect(await vault.delete('c1')).toBe(true);
    expect(await vault.delete('c1')).toBe(false);
    expect(await vault.get('c1')).toBeUndefined();
    expect(await store.has('default:c1')).toBe(false);
    expect(await sql(path, 'SELECT * FROM connections')).toEqual([
      { id: 'c1', user_id: 'u-c1', auth: null, auth_token_ix: null },
    ]);
    await store.close();
  });
});

describe('sqliteTableStore under a vault', () => {
  it('carries set, get, entries, status, verify, rotate (heads only), findBy and refresh on existing rows', async () => {
    const path = await connections(['c1', 'c2', 'c3']);
    const keyStore = sqliteStore({ path: join(dir, `keys-${++files}.db`) });
    const options: SqliteTableStoreOptions = {
      path,
      ...base,
      indexColumns: { accessToken: 'auth_token_ix' },
      keyStore,
    };
    const store = sqliteTableStore(options);
    const open = (keys: (typeof oldKey)[]) =>
      createVault({ store, keyring: createKeyring(keys), schema: connectionAuthSchema, index: ['accessToken'] });
    const before = open([oldKey]);
    for (const id of ['c1', 'c2', 'c3']) await before.set(id, { accessToken: `at-${id}`, clientId: `client-${id}` });
    expect(await before.get('c2')).toMatchObject({ accessToken: 'at-c2', clientId: 'client-c2' });
    const ids: string[] = [];
    for await (const [id] of before.entries()) ids.push(id);
    expect(ids).toEqual(['c1', 'c2', 'c3']);
    // The index key is in keyStore, the tokens in the index column, the envelopes in `auth`.
    expect(await keyStore.has('default:~index-key')).toBe(true);
    const table = await sql(path, 'SELECT id, user_id, auth, auth_token_ix FROM connections ORDER BY id');
    for (const row of table) {
      expect(row.user_id).toBe(`u-${row.id}`);
      expect(String(row.auth)).toMatch(/^cv1\.old\./);
      expect(String(row.auth)).not.toContain(`at-${row.id}`);
      expect(String(row.auth_token_ix)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(await (await before.findBy('accessToken', 'at-c2'))?.id).toBe('c2');
    expect(await before.findBy('accessToken', 'at-none')).toBeUndefined();

    const vault = open([newKey, oldKey]);
    expect(await vault.status()).toMatchObject({
      total: 3,
      kids: { old: 3 },
      notOnPrimary: 3,
      vaultRecords: { indexKey: 1 },
    });
    expect(await vault.verify()).toMatchObject({ scanned: 4, ok: 4, failed: [] }); // and the index key
    const tail = (envelope: unknown) => String(envelope).split('.').slice(3).join('.');
    const tails = table.map((row) => tail(row.auth));
    // Rotation writes heads only (replacePrefixMany), never whole envelopes: watch what it calls.
    const calls: string[] = [];
    const watched: VaultStore = {
      ...store,
      replacePrefixMany: (entries) => {
        calls.push('replacePrefixMany');
        return store.replacePrefixMany(entries);
      },
      compareAndSetMany: (entries) => {
        calls.push('compareAndSetMany');
        return store.compareAndSetMany(entries);
      },
    };
    const rotating = createVault({
      store: watched,
      keyring: createKeyring([newKey, oldKey]),
      schema: connectionAuthSchema,
      index: ['accessToken'],
    });
    expect(await rotating.rotate()).toMatchObject({ rewrapped: 4, failed: [] }); // and the index key
    expect(new Set(calls)).toEqual(new Set(['replacePrefixMany']));
    const after = await sql(path, 'SELECT id, user_id, auth, auth_token_ix FROM connections ORDER BY id');
    expect(after.map((row) => tail(row.auth))).toEqual(tails); // only the heads were written
    expect(after.map((row) => row.auth_token_ix)).toEqual(table.map((row) => row.auth_token_ix));
    for (const row of after) expect(String(row.auth)).toMatch(/^cv1\.new\./);
    expect((await keyStore.get('default:~index-key'))?.startsWith('cv1.new.')).toBe(true); // rewrapped too
    expect(await vault.status()).toMatchObject({ total: 3, kids: { new: 3 }, notOnPrimary: 0 });

    const refreshed = await vault.refresh('c1', (current) => ({ ...current, accessToken: 'at-c1-fresh' }), {
      force: true,
    });
    expect(refreshed.accessToken).toBe('at-c1-fresh');
    expect((await vault.findBy('accessToken', 'at-c1-fresh'))?.id).toBe('c1');
    expect(await vault.findBy('accessToken', 'at-c1')).toBeUndefined();
    expect(await sql(path, 'SELECT user_id FROM connections WHERE id = ?', ['c1'])).toEqual([{ user_id: 'u-c1' }]);
    await Promise.all([store.close(), keyStore.close()]);
  });

  it('refuses a value copied to another row with DECRYPT_FAILED', async () => {
    const path = await connections(['c1', 'c2']);
    const store = sqliteTableStore({ path, ...base });
    const vault = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionAuthSchema });
    await vault.set('c1', { accessToken: 'at-1' });
    await sql(path, "UPDATE connections SET auth = (SELECT auth FROM connections WHERE id = 'c1') WHERE id = 'c2'");
    expect((await failure(vault.get('c2'))).code).toBe('DECRYPT_FAILED');
    expect((await vault.verify()).failed.map((f) => f.id)).toEqual(['c2']);
    await store.close();
  });

  it('creates nothing in the schema over a full vault run', async () => {
    const path = await connections(['c1', 'c2']);
    const schema = await schemaOf(path);
    const keyStore = sqliteStore({ path: join(dir, `keys-${++files}.db`) });
    const store = sqliteTableStore({ path, ...base, indexColumns: { accessToken: 'auth_token_ix' }, keyStore });
    const vault = createVault({
      store,
      keyring: createKeyring([oldKey]),
      schema: connectionAuthSchema,
      index: ['accessToken'],
    });
    await vault.set('c1', { accessToken: 'a1' });
    await vault.setMany([['c2', { accessToken: 'a2' }]]);
    await vault.findBy('accessToken', 'a1');
    await vault.status();
    await vault.verify();
    const rotated = createVault({
      store,
      keyring: createKeyring([newKey, oldKey]),
      schema: connectionAuthSchema,
      index: ['accessToken'],
    });
    await rotated.rotate();
    await rotated.refresh('c1', (current) => current, { force: true });
    await rotated.delete('c2');
    await store.close();
    expect(await schemaOf(path)).toEqual(schema);
    await keyStore.close();
  });

  it('refuses index without keyStore with UNSUPPORTED naming keyStore', async () => {
    const path = await connections(['c1']);
    const store = sqliteTableStore({ path, ...base, indexColumns: { accessToken: 'auth_token_ix' } });
    const vault = createVault({
      store,
      keyring: createKeyring([oldKey]),
      schema: connectionAuthSchema,
      index: ['accessToken'],
    });
    const refused = await failure(vault.set('c1', { accessToken: 'a' }));
    expect(refused).toMatchObject({ code: 'UNSUPPORTED', path: 'keyStore' });
    expect(refused.message).toContain('pass keyStore');
    // Without index, records work; refresh needs its lease, which lives in keyStore.
    const plain = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionAuthSchema });
    await plain.set('c1', { accessToken: 'a' });
    expect(await failure(plain.refresh('c1', (current) => current, { force: true }))).toMatchObject({
      code: 'UNSUPPORTED',
      path: 'keyStore',
    });
    await plain.delete('c1');
    expect(await sql(path, 'SELECT auth, auth_token_ix FROM connections')).toEqual([
      { auth: null, auth_token_ix: null },
    ]);
    await store.close();
  });
});

describe('sqliteTableStore: keyStore', () => {
  it("takes leases from keyStore's own lease() where it has one, and has none where it has not", async () => {
    const path = await connections();
    const taken: string[] = [];
    const keyStore: VaultStore = {
      ...sqliteStore({ path: ':memory:' }),
      lease: async (name) => {
        taken.push(name);
        return undefined;
      },
    };
    const store = sqliteTableStore({ path, ...base, keyStore });
    expect(await store.lease?.('~lease:default:refresh:c1', 1000)).toBeUndefined();
    expect(taken).toEqual(['~lease:default:refresh:c1']);
    const { lease: _, ...plain } = sqliteStore({ path: ':memory:' }); // a keyStore without leases
    expect(sqliteTableStore({ path, ...base, keyStore: plain as VaultStore }).lease).toBeUndefined();
    await Promise.all([store.close(), plain.close(), keyStore.close?.()]);
  });
});

describe('sqliteTableStore: the table', () => {
  it.each([
    ['table', { table: 'nope' }],
    ['idColumn', { idColumn: 'nope' }],
    ['envelopeColumn', { envelopeColumn: 'nope' }],
    ['indexColumns.accessToken', { indexColumns: { accessToken: 'nope' } }],
    ['idColumn', { idColumn: 'user_id' }], // exists, but neither primary key nor unique
  ])('refuses a missing or unusable %s with INVALID_ARGUMENT and its path', async (path, wrong) => {
    const file = await connections(['c1']);
    const store = sqliteTableStore({ path: file, ...base, ...wrong });
    expect(await failure(store.get('default:c1'))).toMatchObject({ code: 'INVALID_ARGUMENT', path });
    await store.close();
  });

  it('refuses a bad identifier (empty, NUL), a column given two jobs and a bad field name with INVALID_ARGUMENT at once', () => {
    for (const [path, wrong] of [
      ['table', { table: '' }],
      ['idColumn', { idColumn: 'a\u0000b' }],
      ['envelopeColumn', { envelopeColumn: '' }],
      ['indexColumns.accessToken', { indexColumns: { accessToken: '' } }],
      // one column, one job: a token written over the envelope or the id would destroy the record
      ['envelopeColumn', { envelopeColumn: base.idColumn }],
      ['indexColumns.accessToken', { indexColumns: { accessToken: base.envelopeColumn } }],
      ['indexColumns.accessToken', { indexColumns: { accessToken: base.idColumn } }],
      ['indexColumns.refreshToken', { indexColumns: { accessToken: 'ix', refreshToken: 'ix' } }],
      ['indexColumns.a:b', { indexColumns: { 'a:b': 'ix' } }],
      ['indexColumns.', { indexColumns: { '': 'ix' } }],
    ] as const) {
      expect(() => sqliteTableStore({ path: 'x.db', ...base, ...wrong })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', path }),
      );
    }
  });

  it('does not create a database file that is not there', async () => {
    const path = join(dir, 'absent.db');
    const store = sqliteTableStore({ path, ...base });
    expect((await failure(store.get('default:c1'))).code).toBe('STORE_FAILED');
    await store.close();
    expect(existsSync(path)).toBe(false);
  });

  it('quotes identifiers that need it', async () => {
    const path = join(dir, `odd-${++files}.db`);
    await exec(path, 'CREATE TABLE "my ""odd"" table.x" ("the id" TEXT PRIMARY KEY, "env""col" TEXT, "ix-1;" TEXT)');
    await sql(path, 'INSERT INTO "my ""odd"" table.x" ("the id") VALUES (\'c1\')');
    const keyStore = sqliteStore({ path: ':memory:' });
    const store = sqliteTableStore({
      path,
      table: 'my "odd" table.x',
      idColumn: 'the id',
      envelopeColumn: 'env"col',
      indexColumns: { accessToken: 'ix-1;' },
      keyStore,
    });
    const vault = createVault({
      store,
      keyring: createKeyring([oldKey]),
      schema: connectionAuthSchema,
      index: ['accessToken'],
    });
    await vault.set('c1', { accessToken: 'a1' });
    expect((await vault.findBy('accessToken', 'a1'))?.id).toBe('c1');
    expect(await vault.verify()).toMatchObject({ scanned: 2, ok: 2, failed: [] }); // c1 and the index key
    await Promise.all([store.close(), keyStore.close()]);
  });

  it('pages the table by id (keyset) over more rows than one page', async () => {
    const ids = Array.from({ length: 23 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    const path = await connections([...ids, 'empty']);
    const store = sqliteTableStore({ path, ...base, pageSize: 5 });
    for (const id of ids) await store.set(`default:${id}`, `v-${id}`);
    const seen: [string, string][] = [];
    for await (const [key, value] of store.entries('default:')) seen.push([key, value]);
    expect(seen).toEqual(ids.map((id) => [`default:${id}`, `v-${id}`])); // the row without an envelope is absent
    expect(await store.count('default:')).toBe(23);
    expect(await store.count('default:r1')).toBe(10);
    const under: string[] = [];
    for await (const [key] of store.entries('default:r2')) under.push(key);
    expect(under).toEqual(['default:r20', 'default:r21', 'default:r22']);
    await store.close();
  });

  it("orders an INTEGER id column numerically; an id that is not the column's text form ('01') is no row", async () => {
    const path = join(dir, `int-${++files}.db`);
    await exec(
      path,
      'CREATE TABLE accounts (id INTEGER PRIMARY KEY, secret TEXT)',
      'INSERT INTO accounts (id) VALUES (1), (2), (10)',
    );
    const opts = { path, table: 'accounts', idColumn: 'id', envelopeColumn: 'secret' } as const;
    const store = sqliteTableStore(opts);
    const vault = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionAuthSchema });
    for (const id of ['10', '2', '1']) await vault.set(id, { accessToken: `at-${id}` });
    const ids: string[] = [];
    for await (const [id] of vault.entries()) ids.push(id);
    expect(ids).toEqual(['1', '2', '10']);
    expect((await vault.get('10'))?.accessToken).toBe('at-10');
    // '01' would be row 1 to SQLite, whose envelope is sealed for '1': it is no row here.
    expect(await vault.get('01')).toBeUndefined();
    expect((await failure(vault.set('01', { accessToken: 'x' }))).code).toBe('NOT_FOUND');
    const inserting = sqliteTableStore({ ...opts, missingRows: 'insert' });
    const again = createVault({ store: inserting, keyring: createKeyring([oldKey]), schema: connectionAuthSchema });
    expect(await failure(again.set('01', { accessToken: 'x' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      path: 'id',
    });
    expect(await failure(again.set('abc', { accessToken: 'x' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      path: 'id',
    });
    await again.set('11', { accessToken: 'at-11' });
    expect((await vault.get('1'))?.accessToken).toBe('at-1');
    expect(await sql(path, 'SELECT id FROM accounts ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 10 },
      { id: 11 },
    ]);
    expect(await vault.verify()).toMatchObject({ ok: 4, failed: [] });
    await Promise.all([store.close(), inserting.close()]);
  });
});

describe('sqliteTableStore: property', () => {
  const id = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 40 })
    .filter((s) => !s.startsWith('~') && !s.includes('\u0000') && !/[\uD800-\uDFFF]/u.test(s));
  const text = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !/[\uD800-\uDFFF]/u.test(s));
  const record = fc.record(
    { accessToken: text, clientId: text, refreshToken: text, emails: fc.array(text, { maxLength: 3 }) },
    { requiredKeys: [] },
  );

  it('round-trips random ids and records exactly through vault set and get', async () => {
    const path = await connections();
    const store = sqliteTableStore({ path, ...base, missingRows: 'insert' });
    const vault = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionAuthSchema });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(id, record), { selector: ([k]) => k, minLength: 1, maxLength: 8 }),
        async (batch) => {
          for (const [key, value] of batch) await vault.set(key, value as ConnectionAuthInput);
          for (const [key, value] of batch) expect(await vault.get(key)).toEqual(value);
        },
      ),
      { numRuns: 60 },
    );
    await store.close();
  });
});
