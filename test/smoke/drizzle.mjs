// The Drizzle program a user would write, run from the installed tarballs under each runtime.
// Usage: <runtime> drizzle.mjs <runtime-name> <database> <target>
//   database postgres (target: postgres://...; drizzle-orm/node-postgres over pg, the index key
//     in @credvault/postgres) | sqlite (target: a file; drizzle-orm/sqlite-proxy over the
//     runtime's own SQLite: node:sqlite on Node 22/24 and Deno, bun:sqlite on Bun)
// Seals one row named after the runtime into the user's own table, opens every row earlier
// runtimes sealed, finds each by its access token, checks that plaintext is refused, and prints
// one JSON line.
import { connectionSchema, createSealer, isVaultError, parseKeyList } from '@credvault/core';

const [runtime, kind, target] = process.argv.slice(2);
const keyring = parseKeyList(process.env.SMOKE_KEYS);
const record = (name) => ({
  idConnection: `conn-${name}`,
  status: 'active',
  providerSlug: 'hubspot',
  vertical: 'crm',
  accountUrl: 'https://example.com/account',
  tokenType: 'oauth2',
  accessToken: `access-${name}`,
  refreshToken: `refresh-${name}`,
  expirationTimestamp: '2026-10-01T12:00:00Z',
  createdAt: '2026-10-01T12:00:00Z',
  connectionToken: `token-${name}`,
  idProject: 'smoke',
  idLinkedUser: 'user-1',
});
const CREATE =
  'CREATE TABLE IF NOT EXISTS connections (id text PRIMARY KEY, provider text NOT NULL, credential text, access_token_ix text)';

async function database() {
  if (kind === 'postgres') {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { pgTable, text } = await import('drizzle-orm/pg-core');
    const { blindIndex, credentials, sealed } = await import('@credvault/drizzle/pg');
    const pool = new pg.Pool({ connectionString: target, max: 2 });
    await pool.query(CREATE);
    const table = pgTable('connections', {
      id: text('id').primaryKey(),
      provider: text('provider').notNull(),
      credential: sealed('credential'),
      accessTokenIx: blindIndex('access_token_ix'),
    });
    const { postgresStore } = await import('@credvault/postgres');
    const keyStore = postgresStore({ url: target }); // one index key for every runtime
    return { db: drizzle({ client: pool }), table, credentials, keyStore, close: () => pool.end() };
  }
  const { drizzle } = await import('drizzle-orm/sqlite-proxy');
  const { sqliteTable, text } = await import('drizzle-orm/sqlite-core');
  const { blindIndex, credentials, sealed } = await import('@credvault/drizzle/sqlite');
  const client = await openSqlite(target);
  client.exec(CREATE);
  const db = drizzle(async (sql, params, method) => {
    const statement = client.prepare(sql);
    if (method === 'run') {
      statement.run(...params);
      return { rows: [] };
    }
    const rows = statement.all(...params).map((row) => Object.values(row));
    return { rows: method === 'get' ? rows[0] : rows };
  });
  const table = sqliteTable('connections', {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    credential: sealed('credential'),
    accessTokenIx: blindIndex('access_token_ix'),
  });
  const { sqliteStore } = await import('@credvault/sqlite');
  const keyStore = sqliteStore({ path: `${target}.keys` }); // one index key for every runtime
  return { db, table, credentials, keyStore, close: () => client.close() };
}

async function openSqlite(file) {
  if (typeof globalThis.Bun !== 'undefined') {
    const { Database } = await import('bun:sqlite');
    return new Database(file);
  }
  const { DatabaseSync } = await import('node:sqlite');
  return new DatabaseSync(file);
}

const { db, table, credentials, keyStore, close } = await database();
const sealer = createSealer({
  schema: connectionSchema,
  keyring,
  namespace: 'smoke-drizzle',
  index: ['accessToken'],
  keyStore,
});
try {
  const creds = credentials(sealer, table, { id: 'id', column: 'credential', index: { accessToken: 'accessTokenIx' } });
  await db
    .insert(table)
    .values(await creds.seal([{ id: `conn-${runtime}`, provider: 'hubspot', credential: record(runtime) }]));
  let refused = false;
  try {
    await db.insert(table).values({ id: `plain-${runtime}`, provider: 'x', credential: record(runtime) });
  } catch (error) {
    refused = isVaultError(error) && error.code === 'INVALID_ARGUMENT';
  }
  if (!refused) throw new Error('a plaintext record was not refused by the sealed column');
  const rows = await creds.open(await db.select().from(table));
  const opened = [];
  for (const row of rows) {
    const name = row.id.slice('conn-'.length);
    if (row.credential?.accessToken !== `access-${name}`) throw new Error(`row ${row.id} opened to the wrong secrets`);
    const found = await creds.find('accessToken', `access-${name}`, (where) => db.select().from(table).where(where));
    if (found.length !== 1 || found[0].id !== row.id) throw new Error(`row ${row.id} not found by its token`);
    opened.push(name);
  }
  if (!opened.includes(runtime)) throw new Error(`row conn-${runtime} was not read back`);
  console.log(JSON.stringify({ runtime, database: kind, opened: opened.sort() }));
} finally {
  await sealer.close();
  await close();
}
