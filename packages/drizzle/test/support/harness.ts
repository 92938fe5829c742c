import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConnectionInput,
  connectionSchema,
  createKeyring,
  createSealer,
  generateKey,
  type LegacyReader,
  memoryStore,
  type Sealer,
} from '@credvault/core';
import Database from 'better-sqlite3';
import { eq, type SQL } from 'drizzle-orm';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import type { BlindIndexToken, SealedText } from '../../src/index.js';
import * as pgCols from '../../src/pg.js';
import * as sqliteCols from '../../src/sqlite.js';

/** The `connections` table of the tests, on PostgreSQL. */
export function pgConnections(name: string) {
  return pgTable(name, {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    credential: pgCols.sealed('credential'),
    accessTokenIx: pgCols.blindIndex('access_token_ix'),
  });
}

/** The same table on SQLite. */
export function sqliteConnections(name: string) {
  return sqliteTable(name, {
    id: sqliteText('id').primaryKey(),
    provider: sqliteText('provider').notNull(),
    credential: sqliteCols.sealed('credential'),
    accessTokenIx: sqliteCols.blindIndex('access_token_ix'),
  });
}

export type PgConnections = ReturnType<typeof pgConnections>;
type Creds = pgCols.Credentials<typeof connectionSchema, PgConnections, 'id', 'credential', 'accessTokenIx'>;

/** A row of the table as selected. */
export interface Row {
  id: string;
  provider: string;
  credential: SealedText | null;
  accessTokenIx: BlindIndexToken | null;
}
/** A row as sealed, ready to insert. */
export type SealedInsert = PgConnections['$inferInsert'];

/** One database under the same tests: its table, a sealer and `creds`, and the few queries the tests need. */
export interface Harness {
  readonly dialect: 'postgres' | 'sqlite';
  readonly sealer: Sealer<typeof connectionSchema>;
  /** Typed as the PostgreSQL flavour; the SQLite one has the same rows. */
  readonly creds: Creds;
  readonly table: PgConnections;
  insert(rows: readonly SealedInsert[]): Promise<void>;
  /** Inserts inside a transaction; rolls it back (by throwing) when `rollback`. */
  insertInTransaction(rows: readonly SealedInsert[], rollback: boolean): Promise<void>;
  /** Inserts the unchecked value through Drizzle's own insert (the column helper's check included). */
  insertUnchecked(row: Record<string, unknown>): Promise<void>;
  /** Writes `value` to the credential column with raw SQL (no Drizzle), as legacy code or an attacker would. */
  rawWrite(id: string, provider: string, value: string | null): Promise<void>;
  /** `update(table).set(values).where(id = id)`. */
  update(id: string, values: Partial<SealedInsert>): Promise<void>;
  select(where?: SQL): Promise<Row[]>;
  count(): Promise<number>;
  close(): Promise<void>;
}

let tables = 0;

/** A sealer over a fresh keyring and memory key store, indexing `accessToken`. */
export function testSealer(legacy?: LegacyReader): Sealer<typeof connectionSchema> {
  return createSealer({
    schema: connectionSchema,
    keyring: createKeyring([{ kid: 'k1', key: generateKey() }]),
    namespace: 'connections',
    index: ['accessToken'],
    keyStore: memoryStore(),
    ...(legacy === undefined ? {} : { legacy }),
  });
}

const CREATE = (name: string) =>
  `CREATE TABLE "${name}" (id text PRIMARY KEY, provider text NOT NULL, credential text, access_token_ix text)`;

/** A harness on a new table of the PostgreSQL server at `url`. */
export async function pgHarness(url: string, sealer = testSealer()): Promise<Harness> {
  const name = `connections_${process.pid}_${++tables}`;
  const pool = new pg.Pool({ connectionString: url, max: 4 }).on('error', () => {});
  await pool.query(CREATE(name));
  const table = pgConnections(name);
  const db = pgDrizzle({ client: pool });
  return {
    dialect: 'postgres',
    sealer,
    table,
    creds: pgCols.credentials(sealer, table, {
      id: 'id',
      column: 'credential',
      index: { accessToken: 'accessTokenIx' },
    }),
    async insert(rows) {
      await db.insert(table).values([...rows]);
    },
    async insertInTransaction(rows, rollback) {
      await db.transaction(async (tx) => {
        for (const row of rows) await tx.insert(table).values(row);
        if (rollback) tx.rollback();
      });
    },
    async insertUnchecked(row) {
      await db.insert(table).values(row as never);
    },
    async rawWrite(id, provider, value) {
      await pool.query(
        `INSERT INTO "${name}" (id, provider, credential) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET credential = $3`,
        [id, provider, value],
      );
    },
    async update(id, values) {
      await db.update(table).set(values).where(eq(table.id, id));
    },
    select: (where) => (where === undefined ? db.select().from(table) : db.select().from(table).where(where)),
    async count() {
      return Number((await pool.query(`SELECT count(*) AS n FROM "${name}"`)).rows[0].n);
    },
    close: () => pool.end(),
  };
}

/** A harness on a new SQLite file in a temporary directory. */
export function sqliteHarness(sealer = testSealer()): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'credvault-drizzle-'));
  const name = 'connections';
  const client = new Database(join(dir, 'app.db'));
  client.pragma('journal_mode = WAL');
  client.exec(CREATE(name));
  const table = sqliteConnections(name);
  const db = sqliteDrizzle({ client });
  const creds = sqliteCols.credentials(sealer, table, {
    id: 'id',
    column: 'credential',
    index: { accessToken: 'accessTokenIx' },
  });
  return {
    dialect: 'sqlite',
    sealer,
    table: table as unknown as PgConnections,
    creds: creds as unknown as Creds,
    async insert(rows) {
      db.insert(table)
        .values([...rows])
        .run();
    },
    async insertInTransaction(rows, rollback) {
      // better-sqlite3 transactions are synchronous: seal before, write inside.
      db.transaction((tx) => {
        for (const row of rows) tx.insert(table).values(row).run();
        if (rollback) tx.rollback();
      });
    },
    async insertUnchecked(row) {
      db.insert(table)
        .values(row as never)
        .run();
    },
    async rawWrite(id, provider, value) {
      client
        .prepare(
          `INSERT INTO "${name}" (id, provider, credential) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET credential = excluded.credential`,
        )
        .run(id, provider, value);
    },
    async update(id, values) {
      db.update(table).set(values).where(eq(table.id, id)).run();
    },
    async select(where) {
      return where === undefined ? db.select().from(table).all() : db.select().from(table).where(where).all();
    },
    async count() {
      return (client.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
    },
    async close() {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const chars = (n: number, seed: string) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);

/** A typical Connection record, `i` making its tokens unique. */
export function connection(i = 0): ConnectionInput {
  return {
    idConnection: `conn-${i}`,
    status: 'active',
    providerSlug: 'hubspot',
    vertical: 'crm',
    accountUrl: 'https://app.hubspot.com/contacts/44556677',
    tokenType: 'oauth2',
    accessToken: `${chars(80, 'CJSP5qf1MhICAQEYs')}-${i}`,
    refreshToken: `eu1-7c5d-4a4f-9b1e-${i}`,
    expirationTimestamp: new Date('2026-11-22T12:00:00Z'),
    createdAt: new Date('2026-01-15T09:30:00Z'),
    connectionToken: `ct_${i}`,
    idProject: 'p1',
    idLinkedUser: `user-${i}`,
  };
}
