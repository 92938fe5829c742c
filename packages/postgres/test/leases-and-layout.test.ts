import { createHash } from 'node:crypto';
import { connectionSchema, createKeyring, createVault, generateKey } from '@credvault/core';
import { SUITE_SECRETS, suiteConnection, usePostgresServer } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../src/index.js';

const server = usePostgresServer({ beforeAll, afterAll });
const available = server.available;

describe.skipIf(!available)('postgresStore leases', () => {
  it('gives a lease to one owner at a time, released or extended only by its owner', async () => {
    const [a, b] = [postgresStore({ url: server.url() }), postgresStore({ url: server.url() })];
    const taken = await Promise.all([a.lease('job', 10_000), b.lease('job', 10_000), a.lease('job', 10_000)]);
    expect(taken.filter((lease) => lease !== undefined)).toHaveLength(1);
    const lease = taken.find((l) => l !== undefined);
    expect(await b.lease('job', 10_000)).toBeUndefined();
    expect(await server.server().sql(`SELECT token FROM credvault_leases WHERE name = 'job'`)).toBe(lease?.token);
    expect(await a.has('job')).toBe(false); // leases live apart from records
    await server.server().sql(`UPDATE credvault_leases SET token = 'someone-else' WHERE name = 'job'`);
    expect(await lease?.release()).toBe(false);
    expect(await lease?.extend(5000)).toBe(false);
    await server.server().sql(`DELETE FROM credvault_leases WHERE name = 'job'`);
    const again = await b.lease('job', 10_000);
    expect(await again?.extend(60_000)).toBe(true);
    const left = Number(
      await server
        .server()
        .sql(`SELECT extract(epoch FROM expires_at - now()) FROM credvault_leases WHERE name = 'job'`),
    );
    expect(left).toBeGreaterThan(30);
    expect(await again?.release()).toBe(true);
    expect(await a.lease('job', 10_000)).toBeDefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('lets a lease expire by itself', async () => {
    const store = postgresStore({ url: server.url() });
    const first = await store.lease('short', 100);
    expect(first).toBeDefined();
    expect(await store.lease('short', 100)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.lease('short', 100)).toBeDefined();
    expect(await first?.release()).toBe(false); // expired and taken over: not the first owner's any more
    await store.close();
  });

  it('refuses a ttl that is not a positive number', async () => {
    const store = postgresStore({ url: server.url() });
    await expect(store.lease('bad', 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await store.close();
  });
});

describe.skipIf(!available)('postgresStore table layout', () => {
  it('stores the raw envelope, in a table of key and value only', async () => {
    const store = postgresStore({ url: server.url() }, { table: 'layout' });
    const vault = createVault({
      store,
      keyring: createKeyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
      namespace: 'conn',
    });
    await vault.set('c1', suiteConnection('c1'));
    const raw = (await store.get('conn:c1')) as string;
    expect(raw.startsWith('cv1')).toBe(true);
    const row = await server.server().sql(`SELECT value FROM layout WHERE key = 'conn:c1'`);
    expect(row).toBe(raw);
    for (const secret of SUITE_SECRETS) expect(row).not.toContain(secret);
    const columns = await server
      .server()
      .sql(
        `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'layout'`,
      );
    expect(columns).toBe('key,value');
    await store.close();
  });

  it('works on a table created with the generated digest column of earlier builds', async () => {
    await server
      .server()
      .sql(
        `CREATE FUNCTION old_digest(value text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS 'SELECT sha256(convert_to(value, ''UTF8''))';` +
          `CREATE TABLE old_layout (key text COLLATE "C" PRIMARY KEY, value text NOT NULL, digest bytea GENERATED ALWAYS AS (old_digest(value)) STORED);` +
          `CREATE TABLE old_layout_leases (name text COLLATE "C" PRIMARY KEY, token text NOT NULL, expires_at timestamptz NOT NULL)`,
      );
    const store = postgresStore({ url: server.url() }, { table: 'old_layout' });
    await store.set('k', 'v1');
    expect(await store.compareAndSet('k', 'v0', 'no')).toBe(false);
    expect(await store.compareAndSet('k', 'v1', 'v2')).toBe(true);
    expect(
      await store.compareAndSetMany([
        ['k', 'v2', 'v3'],
        ['j', 'x', 'no'],
      ]),
    ).toEqual([true, false]);
    const digest = await server.server().sql(`SELECT encode(digest, 'hex') FROM old_layout WHERE key = 'k'`);
    expect(digest).toBe(createHash('sha256').update('v3').digest('hex'));
    await store.close();
  });

  it('refuses a compare-and-set after a write that bypassed the store (raw adapter or SQL)', async () => {
    const store = postgresStore({ url: server.url() }, { table: 'bypass' });
    await store.set('k', 'v1');
    await store.adapter.set('k', 'v2'); // @keyv/postgres's own upsert, which knows nothing of digests
    expect(await store.compareAndSet('k', 'v1', 'mine')).toBe(false);
    expect(await store.compareAndSet('k', 'v2', 'v3')).toBe(true);
    await server.server().sql(`UPDATE bypass SET value = 'v4' WHERE key = 'k'`);
    expect(await store.compareAndSetMany([['k', 'v3', 'mine']])).toEqual([false]);
    expect(await store.get('k')).toBe('v4');
    expect(await store.compareAndSet('k', 'v4', undefined)).toBe(true);
    expect(await store.has('k')).toBe(false);
    await store.close();
  });

  it('iterates and counts in byte order, like SQLite and Redis, with exact prefix ranges', async () => {
    const store = postgresStore({ url: server.url() }, { table: 'order', pageSize: 2 });
    const ids = ['b', 'B', 'a', '_', '%', 'é', 'z', '鍵', '🔑', 'aa', 'a\uffff'];
    await store.setMany(ids.map((id) => [`ns:${id}`, id] as const));
    await store.set('ns;after', 'x'); // ';' follows ':' in byte order: outside the prefix range
    await store.set('nr:before', 'x');
    const keys: string[] = [];
    for await (const [key] of store.entries('ns:')) keys.push(key);
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    expect(keys).toEqual(ids.map((id) => `ns:${id}`).sort((x, y) => Buffer.compare(bytes(x), bytes(y))));
    expect(await store.count('ns:')).toBe(ids.length);
    expect(await store.count('ns:a')).toBe(3);
    expect(await store.count('')).toBe(ids.length + 2);
    await store.close();
  });

  it('takes table and schema from the URL query (as the CLI passes them), never sending them to pg', async () => {
    const store = postgresStore({ url: `${server.url()}?schema=from_url&table=named&application_name=cv` });
    await store.set('k', 'v');
    expect(await server.server().sql(`SELECT value FROM from_url.named WHERE key = 'k'`)).toBe('v');
    const explicit = postgresStore({ url: `${server.url()}?table=ignored` }, { table: 'explicit_wins' });
    await explicit.set('k', 'w');
    expect(await server.server().sql(`SELECT value FROM explicit_wins`)).toBe('w');
    expect(await server.server().sql(`SELECT to_regclass('ignored') IS NULL`)).toBe('t');
    await Promise.all([store.close(), explicit.close()]);
  });

  it('keeps the last value when a batch names a key twice', async () => {
    const store = postgresStore({ url: server.url() }, { table: 'dupes' });
    await store.setMany([
      ['k', 'first'],
      ['j', 'j'],
      ['k', 'last'],
    ]);
    expect(await store.getMany(['k', 'j', 'nope'])).toEqual(['last', 'j', undefined]);
    await store.close();
  });
});
