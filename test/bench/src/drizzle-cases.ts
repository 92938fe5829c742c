import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connectionSchema, createKeyring, createSealer, generateKey, type Sealer } from '@credvault/core';
import * as pgColumns from '@credvault/drizzle/pg';
import * as sqliteColumns from '@credvault/drizzle/sqlite';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { type Measured, measureInterleaved } from './measure.js';
import { typicalConnection } from './records.js';

/** Per-run medians (ms) of one database's Drizzle cases. */
export interface DrizzleRuns {
  readonly database: string;
  /** Upsert of the row with the record as JSON text in a plain `text` column, then select it by id and JSON.parse. */
  readonly plaintext: number[];
  /** The same upsert and select with the record sealed in a `sealed()` column: `creds.seal` before, `creds.open` after. */
  readonly sealed: number[];
}

/** One database's two tables and their two cases. */
interface DrizzleCase {
  readonly database: string;
  plaintext(id: string, record: object): Promise<unknown>;
  sealed(id: string, record: object): Promise<unknown>;
  close(): Promise<void>;
}

const CREATE = (name: string) => `CREATE TABLE ${name} (id text PRIMARY KEY, provider text NOT NULL, credential text)`;

function sqliteCase(dir: string, sealer: Sealer<typeof connectionSchema>): DrizzleCase {
  const client = new Database(join(dir, 'drizzle.db'));
  client.pragma('journal_mode = WAL');
  client.exec(`${CREATE('plain_connections')}; ${CREATE('sealed_connections')}`);
  const db = sqliteDrizzle({ client });
  const plain = sqliteTable('plain_connections', {
    id: sqliteText('id').primaryKey(),
    provider: sqliteText('provider').notNull(),
    credential: sqliteText('credential'),
  });
  const table = sqliteTable('sealed_connections', {
    id: sqliteText('id').primaryKey(),
    provider: sqliteText('provider').notNull(),
    credential: sqliteColumns.sealed('credential'),
  });
  const creds = sqliteColumns.credentials(sealer, table, { id: 'id', column: 'credential' });
  return {
    database: 'SQLite (better-sqlite3)',
    async plaintext(id, record) {
      const row = { id, provider: 'hubspot', credential: JSON.stringify(record) };
      db.insert(plain).values(row).onConflictDoUpdate({ target: plain.id, set: row }).run();
      const [read] = db.select().from(plain).where(eq(plain.id, id)).all();
      return JSON.parse(read?.credential as string);
    },
    async sealed(id, record) {
      const row = await creds.seal({ id, provider: 'hubspot', credential: record as never });
      db.insert(table).values(row).onConflictDoUpdate({ target: table.id, set: row }).run();
      return creds.open(db.select().from(table).where(eq(table.id, id)).all());
    },
    async close() {
      client.close();
    },
  };
}

async function postgresCase(url: string, sealer: Sealer<typeof connectionSchema>): Promise<DrizzleCase> {
  const pool = new pg.Pool({ connectionString: url, max: 4 }).on('error', () => {});
  await pool.query(`${CREATE('plain_connections')}; ${CREATE('sealed_connections')}`);
  const db = pgDrizzle({ client: pool });
  const plain = pgTable('plain_connections', {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    credential: text('credential'),
  });
  const table = pgTable('sealed_connections', {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    credential: pgColumns.sealed('credential'),
  });
  const creds = pgColumns.credentials(sealer, table, { id: 'id', column: 'credential' });
  return {
    database: 'PostgreSQL (pg)',
    async plaintext(id, record) {
      const row = { id, provider: 'hubspot', credential: JSON.stringify(record) };
      await db.insert(plain).values(row).onConflictDoUpdate({ target: plain.id, set: row });
      const [read] = await db.select().from(plain).where(eq(plain.id, id));
      return JSON.parse(read?.credential as string);
    },
    async sealed(id, record) {
      const row = await creds.seal({ id, provider: 'hubspot', credential: record as never });
      await db.insert(table).values(row).onConflictDoUpdate({ target: table.id, set: row });
      return creds.open(await db.select().from(table).where(eq(table.id, id)));
    },
    close: () => pool.end(),
  };
}

/**
 * A Drizzle upsert + select of one row with its credential sealed (`@credvault/drizzle`) against
 * the same upsert + select with the record as plaintext JSON in a `text` column, on SQLite (a
 * file in `dir`) and on PostgreSQL at `postgresUrl` when given; `runs` times each, interleaved.
 * Every write carries a new access token (as a refresh does), over 1,000 rows.
 */
export async function drizzleCases(
  dir: string,
  postgresUrl: string | undefined,
  timeMs: number,
  runs: number,
): Promise<DrizzleRuns[]> {
  const sealer = createSealer({
    schema: connectionSchema,
    keyring: createKeyring([{ kid: 'k1', key: generateKey() }]),
    namespace: 'bench',
  });
  const tokens = Array.from({ length: 997 }, () => randomBytes(450).toString('base64url'));
  const record = (i: number) => ({ ...typicalConnection(), accessToken: tokens[i % tokens.length] as string });
  const cases = [sqliteCase(dir, sealer)];
  if (postgresUrl !== undefined) cases.push(await postgresCase(postgresUrl, sealer));
  const out: DrizzleRuns[] = [];
  for (const c of cases) {
    const runsOf: DrizzleRuns = { database: c.database, plaintext: [], sealed: [] };
    let i = 0;
    for (let run = 0; run < runs; run++) {
      const [plaintext, sealed] = (await measureInterleaved(
        {
          'Drizzle upsert + select, plaintext JSON column (baseline)': () => c.plaintext(`c${i % 1000}`, record(i++)),
          'Drizzle upsert + select, sealed column (seal + open)': () => c.sealed(`c${i % 1000}`, record(i++)),
        },
        timeMs,
      )) as [Measured, Measured];
      runsOf.plaintext.push(plaintext.medianMs);
      runsOf.sealed.push(sealed.medianMs);
    }
    await c.close();
    out.push(runsOf);
  }
  await sealer.close();
  return out;
}
