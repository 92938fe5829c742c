import { randomUUID } from 'node:crypto';
import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  isVaultError,
  type KeyEntry,
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
  SUITE_SECRETS,
  suiteConnection,
  usePostgresServer,
  vaultOnStoreSuite,
} from '@credvault/test-suite';
import fc from 'fast-check';
import * as vitest from 'vitest';
import { postgresStore, postgresTableStore } from '../src/index.js';

const { describe, it, expect } = vitest;
const server = usePostgresServer(vitest);
const available = server.available;
const sql = (statement: string) => server.server().sql(statement);
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

let made = 0;
/**
 * The compliance suite gives each test its own namespace (the key prefix it uses), known only at
 * the first key. This store opens, at that key, a table store of that namespace over a fresh
 * table (text ids, nullable other columns) with `missingRows: 'insert'`, and forwards every call.
 */
function complianceStore(pageSize: number): VaultStore {
  let inner: Promise<VaultStore> | undefined;
  let keyStore: VaultStore | undefined;
  const open = (key: string): Promise<VaultStore> => {
    inner ??= (async () => {
      made += 1;
      const table = `compliance_${made}`;
      await sql(`CREATE TABLE ${table} (id text PRIMARY KEY, env text, note text DEFAULT 'kept')`);
      keyStore = postgresStore({ url: server.url() }, { table: `${table}_keys` });
      return postgresTableStore({
        url: server.url(),
        table,
        idColumn: 'id',
        envelopeColumn: 'env',
        namespace: key.slice(0, key.indexOf(':')),
        keyStore,
        missingRows: 'insert',
        pageSize,
      });
    })();
    return inner;
  };
  type Method = (...args: never[]) => unknown;
  const call = async (name: keyof VaultStore, key: string | undefined, args: unknown[], none: unknown) => {
    if (key === undefined && inner === undefined) return none;
    const store = await open(key ?? '');
    return (store[name] as Method).apply(store, args as never[]);
  };
  return {
    name: 'postgres table (compliance)',
    get: (...a) => call('get', a[0], a, undefined) as Promise<string | undefined>,
    set: (...a) => call('set', a[0], a, undefined) as Promise<void>,
    delete: (...a) => call('delete', a[0], a, false) as Promise<boolean>,
    has: (...a) => call('has', a[0], a, false) as Promise<boolean>,
    compareAndSet: (...a) => call('compareAndSet', a[0], a, false) as Promise<boolean>,
    getMany: (...a) => call('getMany', a[0][0], a, []) as Promise<(string | undefined)[]>,
    setMany: (...a) => call('setMany', a[0][0]?.[0], a, undefined) as Promise<void>,
    compareAndSetMany: (...a) => call('compareAndSetMany', a[0][0]?.[0], a, []) as Promise<boolean[]>,
    replacePrefixMany: (...a) => call('replacePrefixMany', a[0][0]?.[0], a, []) as Promise<boolean[]>,
    count: (...a) => call('count', a[0], a, 0) as Promise<number>,
    async *entries(prefix) {
      yield* (await open(prefix)).entries?.(prefix) ?? [];
    },
    async close() {
      await (await inner)?.close?.();
      await keyStore?.close?.();
    },
  };
}

describe.skipIf(!available)('postgresTableStore: compliance (text ids, missingRows insert)', () => {
  const make = () => complianceStore(37);
  // Every capability but leases, which are the key store's (none here).
  capabilitiesSuite(vitest, () =>
    postgresTableStore({ url: server.url(), table: 'not_queried', idColumn: 'id', envelopeColumn: 'env' }),
  );
  basicStoreSuite(vitest, make);
  iterationSuite(vitest, make, { records: 400 });
  compareAndSetSuite(vitest, make);
  replacePrefixSuite(vitest, make);
  countSuite(vitest, make);
  batchSuite(vitest, make);
  vaultOnStoreSuite(vitest, make);
});

const keyring = (keys: KeyEntry[]) => createKeyring(keys);
let tableNo = 0;
/** A fresh `connections` table of the user's (uuid ids, a NOT NULL column of theirs), and `n` rows. */
async function connectionsTable(n: number): Promise<{ table: string; ids: string[] }> {
  tableNo += 1;
  const table = `connections_${tableNo}`;
  await sql(
    `CREATE TABLE ${table} (id uuid PRIMARY KEY, user_id text NOT NULL, auth text, auth_token_ix text, created timestamptz DEFAULT now())`,
  );
  const ids = Array.from({ length: n }, () => randomUUID());
  if (n > 0)
    await sql(`INSERT INTO ${table} (id, user_id) VALUES ${ids.map((id, i) => `('${id}', 'user-${i}')`).join(', ')}`);
  return { table, ids };
}

/** The schema objects a role sees: tables, columns and indexes, to compare before and after. */
async function schemaSnapshot(): Promise<string> {
  return sql(
    `SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
       SELECT 'T ' || table_schema || '.' || table_name AS x FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
       UNION ALL SELECT 'C ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
         FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
       UNION ALL SELECT 'I ' || schemaname || '.' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog')
     ) s`,
  );
}

describe.skipIf(!available)('postgresTableStore on a table of yours', () => {
  it('refuses a write to an id without a row with NOT_FOUND, and changes nothing', async () => {
    const { table, ids } = await connectionsTable(1);
    const store = postgresTableStore({ url: server.url(), table, idColumn: 'id', envelopeColumn: 'auth' });
    const missing = randomUUID();
    const error = await errorOf(store.set(`default:${missing}`, 'cv1.x'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', id: missing });
    expect((error as Error).message).toContain("missingRows: 'insert'");
    expect(await sql(`SELECT count(*) FROM ${table}`)).toBe('1');
    await store.set(`default:${ids[0]}`, 'cv1.y');
    expect(await store.get(`default:${ids[0]}`)).toBe('cv1.y');
    // An id that is no uuid cannot be a row: absent to reads, a caller's mistake to writes.
    expect(await store.get('default:not-a-uuid')).toBeUndefined();
    expect(await store.getMany(['default:not-a-uuid', `default:${ids[0]}`])).toEqual([undefined, 'cv1.y']);
    expect(await errorOf(store.set('default:not-a-uuid', 'v'))).toMatchObject({ code: 'INVALID_ARGUMENT', path: 'id' });
    // The text form is the id: an uppercase uuid is not the row's key.
    expect(await store.get(`default:${ids[0]?.toUpperCase()}`)).toBeUndefined();
    await store.close();
  });

  it("says why an insert fails on a table whose other columns need values (missingRows: 'insert')", async () => {
    const { table } = await connectionsTable(0);
    const store = postgresTableStore({
      url: server.url(),
      table,
      idColumn: 'id',
      envelopeColumn: 'auth',
      missingRows: 'insert',
    });
    const error = await errorOf(store.set(`default:${randomUUID()}`, 'cv1.x'));
    expect(error).toMatchObject({ code: 'STORE_FAILED' });
    expect((error as Error).message).toContain('a NOT NULL column got no value');
    expect(await sql(`SELECT count(*) FROM ${table}`)).toBe('0');
    await store.close();
  });

  it('deletes by setting the envelope to NULL: the row and its other columns stay', async () => {
    const { table, ids } = await connectionsTable(2);
    const store = postgresTableStore({ url: server.url(), table, idColumn: 'id', envelopeColumn: 'auth' });
    const before = await sql(`SELECT id, user_id, created FROM ${table} ORDER BY id`);
    await store.set(`default:${ids[0]}`, 'cv1.a');
    expect(await store.delete(`default:${ids[0]}`)).toBe(true);
    expect(await store.delete(`default:${ids[0]}`)).toBe(false);
    expect(await store.has(`default:${ids[0]}`)).toBe(false);
    expect(await sql(`SELECT id, user_id, created FROM ${table} ORDER BY id`)).toBe(before);
    expect(await sql(`SELECT count(*) FROM ${table} WHERE auth IS NULL`)).toBe('2');
    await store.close();
  });

  it('carries a whole vault: set, get, entries, status, verify, findBy, refresh, rotate; creates nothing', async () => {
    const { table, ids } = await connectionsTable(5);
    await sql(`CREATE TABLE ${table}_keys (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)`);
    await sql(
      `CREATE TABLE ${table}_keys_leases (name text COLLATE "C" PRIMARY KEY, token text NOT NULL, expires_at timestamptz NOT NULL)`,
    );
    const snapshot = await schemaSnapshot();
    const keyStore = postgresStore({ url: server.url() }, { table: `${table}_keys` });
    const store = postgresTableStore({
      url: server.url(),
      table,
      idColumn: 'id',
      envelopeColumn: 'auth',
      indexColumns: { accessToken: 'auth_token_ix' },
      keyStore,
    });
    const keys: KeyEntry[] = [{ kid: 'old', key: generateKey() }];
    const open = () => createVault({ store, keyring: keyring(keys), schema: connectionSchema, index: ['accessToken'] });
    const vault = open();
    for (const [i, id] of ids.entries()) await vault.set(id, suiteConnection(id, { accessToken: `token-${i}` }));
    expect((await vault.get(ids[2] as string))?.accessToken).toBe('token-2');
    const raw = await sql(`SELECT auth FROM ${table} WHERE id = '${ids[2]}'`);
    expect(raw.startsWith('cv1.old.')).toBe(true);
    for (const secret of ['token-2', SUITE_SECRETS[1]]) expect(raw).not.toContain(secret);
    expect(await sql(`SELECT count(*) FROM ${table} WHERE auth_token_ix IS NOT NULL`)).toBe('5');
    expect(await keyStore.has('default:~index-key')).toBe(true);

    const listed = [];
    for await (const [id] of vault.entries()) listed.push(id);
    expect(listed.sort()).toEqual([...ids].sort());
    expect((await vault.findBy('accessToken', 'token-3'))?.id).toBe(ids[3]);
    expect(await vault.findBy('accessToken', 'token-none')).toBeUndefined();
    const entries = [];
    for await (const entry of store.entries('~ix:default:')) entries.push(entry);
    expect(entries.map(([, id]) => id).sort()).toEqual([...ids].sort()); // the index column, as entries
    expect(entries.every(([key]) => key.startsWith('~ix:default:accessToken:'))).toBe(true);
    expect(await store.count('~ix:default:')).toBe(5);
    expect(await store.get(entries[0]?.[0] as string)).toBe(entries[0]?.[1]);
    expect(await vault.status()).toMatchObject({ total: 5, kids: { old: 5 }, vaultRecords: { indexKey: 1 } });
    expect(await vault.verify()).toMatchObject({ scanned: 6, ok: 6, failed: [] }); // and the index key

    // refresh: a new token, its index entry moved with it; the lease is the key store's
    const refreshed = await vault.refresh(ids[0] as string, (current) => ({ ...current, accessToken: 'token-new' }), {
      force: true,
    });
    expect(refreshed.accessToken).toBe('token-new');
    expect((await vault.findBy('accessToken', 'token-new'))?.id).toBe(ids[0]);
    expect(await vault.findBy('accessToken', 'token-0')).toBeUndefined();

    // rotate: only each envelope's head changes, the rest stays byte for byte
    const rows = async () =>
      new Map(
        (await sql(`SELECT id || ' ' || auth FROM ${table}`)).split('\n').map((l) => [l.slice(0, 36), l.slice(37)]),
      );
    const tail = (envelope: string) => envelope.split('.').slice(3).join('.');
    const before = await rows();
    keys.unshift({ kid: 'new-key-2026', key: generateKey() });
    const rotated = open();
    expect(await rotated.rotate({ batchSize: 2 })).toMatchObject({ rewrapped: 6, failed: [] }); // 5 records and the index key
    const after = await rows();
    for (const id of ids) {
      expect(after.get(id)?.startsWith('cv1.new-key-2026.')).toBe(true);
      expect(tail(after.get(id) as string)).toBe(tail(before.get(id) as string));
    }
    expect(await rotated.status()).toMatchObject({ total: 5, kids: { 'new-key-2026': 5 }, notOnPrimary: 0 });
    expect((await rotated.findBy('accessToken', 'token-4'))?.id).toBe(ids[4]);
    expect(await sql(`SELECT user_id FROM ${table} ORDER BY user_id`)).toBe(
      ['user-0', 'user-1', 'user-2', 'user-3', 'user-4'].join('\n'),
    );

    // a value copied to another row does not open there
    await sql(`UPDATE ${table} SET auth = (SELECT auth FROM ${table} WHERE id = '${ids[1]}') WHERE id = '${ids[2]}'`);
    expect(isVaultError(await errorOf(rotated.get(ids[2] as string)), 'DECRYPT_FAILED')).toBe(true);

    await Promise.all([vault.close(), rotated.close()]);
    await Promise.all([store.close(), keyStore.close()]);
    expect(await schemaSnapshot()).toBe(snapshot);
  });

  it("keeps tenant keys in the key store; shredding a tenant empties its rows' envelopes and index tokens only", async () => {
    const { table, ids } = await connectionsTable(3);
    const keyStore = postgresStore({ url: server.url() }, { table: `${table}_tenant_keys` });
    const store = postgresTableStore({
      url: server.url(),
      table,
      idColumn: 'id',
      envelopeColumn: 'auth',
      indexColumns: { accessToken: 'auth_token_ix' },
      keyStore,
    });
    const vault = createVault({
      store,
      keyring: keyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
      index: ['accessToken'],
      tenant: 'idProject',
    });
    const [a, b, c] = ids as [string, string, string];
    await vault.set(a, suiteConnection(a, { idProject: 'p1', accessToken: 't-a' }));
    await vault.set(b, suiteConnection(b, { idProject: 'p1', accessToken: 't-b' }));
    await vault.set(c, suiteConnection(c, { idProject: 'p2', accessToken: 't-c' }));
    expect(await keyStore.has('default:~tenant:p1')).toBe(true);
    expect((await vault.get(c))?.accessToken).toBe('t-c');
    expect(await vault.shred('p1')).toMatchObject({ keyDestroyed: true, deleted: 2 });
    expect(await sql(`SELECT count(*) FROM ${table} WHERE auth IS NULL AND auth_token_ix IS NULL`)).toBe('2');
    expect(await sql(`SELECT count(*) FROM ${table}`)).toBe('3');
    expect((await vault.findBy('accessToken', 't-c'))?.id).toBe(c);
    await Promise.all([vault.close(), store.close(), keyStore.close()]);
  });

  it('works on a bigint id in a schema-qualified table, ids in their text form', async () => {
    await sql('CREATE SCHEMA IF NOT EXISTS app');
    await sql('CREATE TABLE app.accounts (account_id bigint PRIMARY KEY, secret text, name text NOT NULL)');
    await sql(`INSERT INTO app.accounts (account_id, name) SELECT g, 'n' || g FROM generate_series(1, 12) g`);
    const store = postgresTableStore({
      url: server.url(),
      table: 'app.accounts',
      idColumn: 'account_id',
      envelopeColumn: 'secret',
      pageSize: 5,
    });
    const vault = createVault({
      store,
      keyring: keyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
    });
    for (let i = 1; i <= 12; i++) await vault.set(String(i), suiteConnection(String(i)));
    expect((await vault.get('7'))?.accessToken).toBe(SUITE_SECRETS[0]);
    const seen = [];
    for await (const [id] of vault.entries()) seen.push(id);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1))); // in the column's order
    expect(await store.get('default:007')).toBeUndefined();
    expect(await errorOf(vault.set('007', suiteConnection('007')))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(vault.set('99999999999999999999', suiteConnection('x')))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await store.count('default:')).toBe(12);
    expect(await vault.verify()).toMatchObject({ scanned: 12, failed: [] });
    await store.close();
  });

  it('takes a char(n) id column (no cast to char(1)) and a domain over text', async () => {
    await sql('CREATE DOMAIN account_code AS text');
    await sql('CREATE TABLE fixed_ids (code char(8) PRIMARY KEY, env text)');
    await sql('CREATE TABLE domain_ids (code account_code PRIMARY KEY, env text)');
    await sql(`INSERT INTO fixed_ids VALUES ('abc', NULL), ('abcdefgh', NULL)`);
    await sql(`INSERT INTO domain_ids VALUES ('abc', NULL)`);
    for (const table of ['fixed_ids', 'domain_ids']) {
      const store = postgresTableStore({ url: server.url(), table, idColumn: 'code', envelopeColumn: 'env' });
      await store.set('default:abc', 'cv1.short');
      expect(await store.get('default:abc'), table).toBe('cv1.short');
      expect(await store.get('default:a'), table).toBeUndefined();
      expect(await errorOf(store.set('default:zzz', 'v')), table).toMatchObject({ code: 'NOT_FOUND' });
      await store.close();
    }
    const store = postgresTableStore({
      url: server.url(),
      table: 'fixed_ids',
      idColumn: 'code',
      envelopeColumn: 'env',
    });
    await store.set('default:abcdefgh', 'cv1.long');
    expect(await store.getMany(['default:abcdefgh', 'default:abc'])).toEqual(['cv1.long', 'cv1.short']);
    expect(await errorOf(store.set('default:abcdefghi', 'v'))).toMatchObject({ code: 'NOT_FOUND' });
    await store.close();
  });

  it('pages through more rows than one page, each once, while rows are written', async () => {
    const { table, ids } = await connectionsTable(0);
    await sql(
      `INSERT INTO ${table} (id, user_id, auth) SELECT gen_random_uuid(), 'u', 'v' || g FROM generate_series(1, 230) g`,
    );
    const store = postgresTableStore({
      url: server.url(),
      table,
      idColumn: 'id',
      envelopeColumn: 'auth',
      pageSize: 16,
    });
    const counts = new Map<string, number>();
    let n = 0;
    for await (const [key] of store.entries('default:')) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      n += 1;
      if (n % 40 === 0) await sql(`INSERT INTO ${table} (id, user_id, auth) VALUES (gen_random_uuid(), 'u', 'late')`);
    }
    expect(ids).toEqual([]);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(230);
    expect(n).toBe(counts.size);
    expect(await store.count('default:')).toBe(Number(await sql(`SELECT count(*) FROM ${table}`)));
    await store.close();
  });

  it('names the missing table or column (path), and refuses a column that is not nullable text', async () => {
    const { table } = await connectionsTable(0);
    const open = (over: Partial<Parameters<typeof postgresTableStore>[0]>) =>
      postgresTableStore({ url: server.url(), table, idColumn: 'id', envelopeColumn: 'auth', ...over } as never);
    const cases: [Partial<Parameters<typeof postgresTableStore>[0]>, string][] = [
      [{ table: 'no_such_table' }, 'table'],
      [{ table: 'nope.connections' }, 'table'],
      [{ idColumn: 'nope' }, 'idColumn'],
      [{ envelopeColumn: 'nope' }, 'envelopeColumn'],
      [{ indexColumns: { accessToken: 'nope' } }, 'indexColumns.accessToken'],
      [{ envelopeColumn: 'user_id' }, 'envelopeColumn'], // NOT NULL
      [{ envelopeColumn: 'created' }, 'envelopeColumn'], // not text
    ];
    for (const [over, path] of cases) {
      const store = open(over);
      expect(await errorOf(store.get(`default:${randomUUID()}`)), path).toMatchObject({
        code: 'INVALID_ARGUMENT',
        path,
      });
      await store.close();
    }
    for (const [over, path] of [
      [{ table: '' }, 'table'],
      [{ idColumn: 'a\u0000b' }, 'idColumn'],
      [{ envelopeColumn: 'x'.repeat(64) }, 'envelopeColumn'],
      [{ envelopeColumn: 'id' }, 'envelopeColumn'],
      [{ missingRows: 'upsert' }, 'missingRows'],
      [{ namespace: 'a:b' }, 'namespace'],
    ] as const) {
      expect(() => open(over as never), path).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', path }));
    }
  });

  it('refuses keys outside the table without a keyStore (UNSUPPORTED, path keyStore), e.g. a blind index', async () => {
    const { table, ids } = await connectionsTable(1);
    const store = postgresTableStore({
      url: server.url(),
      table,
      idColumn: 'id',
      envelopeColumn: 'auth',
      indexColumns: { accessToken: 'auth_token_ix' },
    });
    const vault = createVault({
      store,
      keyring: keyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
      index: ['accessToken'],
    });
    const error = await errorOf(vault.set(ids[0] as string, suiteConnection('x')));
    expect(error).toMatchObject({ code: 'UNSUPPORTED', path: 'keyStore' });
    expect((error as Error).message).toContain('pass keyStore');
    expect(await sql(`SELECT count(*) FROM ${table} WHERE auth IS NOT NULL`)).toBe('0');
    expect(store.lease).toBeUndefined();
    await store.close();
  });

  it('quotes identifiers: a table named my "odd" table, columns with capitals, dots and spaces', async () => {
    await sql(`CREATE TABLE "my ""odd"" table" ("Id" text PRIMARY KEY, "env.col" text, "ix col" text)`);
    await sql(`INSERT INTO "my ""odd"" table" ("Id") VALUES ('a'), ('b')`);
    const keyStore = postgresStore({ url: server.url() }, { table: 'odd_keys' });
    const store = postgresTableStore({
      url: server.url(),
      table: 'my "odd" table',
      idColumn: 'Id',
      envelopeColumn: 'env.col',
      indexColumns: { accessToken: 'ix col' },
      keyStore,
    });
    const vault = createVault({
      store,
      keyring: keyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
      index: ['accessToken'],
    });
    await vault.set('a', suiteConnection('a'));
    expect((await vault.findBy('accessToken', SUITE_SECRETS[0] as string))?.id).toBe('a');
    expect(await sql(`SELECT count(*) FROM "my ""odd"" table" WHERE "env.col" IS NOT NULL`)).toBe('1');
    const wrongCase = postgresTableStore({
      url: server.url(),
      table: 'my "odd" table',
      idColumn: 'id',
      envelopeColumn: 'env.col',
    });
    expect(await errorOf(wrongCase.get('default:a'))).toMatchObject({ code: 'INVALID_ARGUMENT', path: 'idColumn' });
    await Promise.all([vault.close(), store.close(), keyStore.close(), wrongCase.close()]);
  });

  it('round-trips random uuids and records exactly through a vault (property)', async () => {
    const { table } = await connectionsTable(0);
    const store = postgresTableStore({
      url: server.url(),
      table: `public.${table}`,
      idColumn: 'id',
      envelopeColumn: 'auth',
      missingRows: 'insert',
    });
    await sql(`ALTER TABLE ${table} ALTER COLUMN user_id SET DEFAULT 'inserted'`);
    const vault = createVault({
      store,
      keyring: keyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
    });
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.uuid({ version: 4 }), text, text, text, async (id, accessToken, accountUrl, status) => {
        const input = suiteConnection(id, { accessToken, accountUrl, status });
        await vault.set(id, input);
        const output = await vault.get(id);
        const dates = {
          expirationTimestamp: new Date(input.expirationTimestamp as string),
          createdAt: new Date(input.createdAt as string),
        };
        expect(output).toStrictEqual({ ...input, ...dates });
        expect(await store.get(`default:${id}`)).toBe(await sql(`SELECT auth FROM ${table} WHERE id = '${id}'`));
      }),
      { numRuns: 60 },
    );
    await store.close();
  });
});
