// Type tests: checked by `tsc -p tsconfig.test.json` (every expectTypeOf below is a compile-time
// assertion; a wrong type fails the type check, not a test run).
import type { Connection, ConnectionInput } from '@credvault/core';
import { eq } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { expectTypeOf } from 'vitest';
import { type BlindIndexToken, credentials, type SealedText } from '../src/pg.js';
import { credentials as sqliteCredentials } from '../src/sqlite.js';
import { connection, pgConnections, sqliteConnections, testSealer } from './support/harness.js';

const table = pgConnections('connections');
const sealer = testSealer();
const creds = credentials(sealer, table, { id: 'id', column: 'credential', index: { accessToken: 'accessTokenIx' } });
declare const db: NodePgDatabase;

// The column's own types: envelope text and tokens, never the record.
expectTypeOf<(typeof table)['$inferSelect']['credential']>().toEqualTypeOf<SealedText | null>();
expectTypeOf<(typeof table)['$inferSelect']['accessTokenIx']>().toEqualTypeOf<BlindIndexToken | null>();
// A record or a plain string is not an insert value of the column.
expectTypeOf<ConnectionInput>().not.toExtend<(typeof table)['$inferInsert']['credential']>();
expectTypeOf<string>().not.toExtend<(typeof table)['$inferInsert']['credential']>();

async function usage() {
  // seal: takes the record typed by the schema, gives a row insert() accepts.
  const sealed = await creds.seal({ id: 'c1', provider: 'github', credential: connection(1) });
  expectTypeOf(sealed.credential).toEqualTypeOf<SealedText>();
  expectTypeOf(sealed.accessTokenIx).toEqualTypeOf<BlindIndexToken | null>();
  expectTypeOf(sealed.provider).toEqualTypeOf<string>();
  await db.insert(table).values(sealed);
  const many = await creds.seal([{ id: 'c2', provider: 'x', credential: null }]);
  expectTypeOf(many).toEqualTypeOf<
    { id: string; provider: string; credential: SealedText | null; accessTokenIx: BlindIndexToken | null }[]
  >();
  await db.insert(table).values(many);
  await db
    .update(table)
    .set(await creds.seal({ id: 'c1', credential: connection(2) }))
    .where(eq(table.id, 'c1'));
  // @ts-expect-error: the id is required, the envelope is bound to it
  await creds.seal({ provider: 'github', credential: connection(1) });
  // @ts-expect-error: the record must be a Connection
  await creds.seal({ id: 'c1', credential: { accessToken: 1 } });
  // @ts-expect-error: a plaintext record cannot be inserted into the column without seal
  await db.insert(table).values({ id: 'c1', provider: 'x', credential: connection(1) });

  // open: typed records on select, a nullable column stays nullable.
  const rows = await creds.open(await db.select().from(table));
  expectTypeOf(rows[0]?.credential).toEqualTypeOf<Connection | null | undefined>();
  expectTypeOf(rows).toEqualTypeOf<
    { id: string; provider: string; credential: Connection | null; accessTokenIx: BlindIndexToken | null }[]
  >();
  const partial = await creds.open(await db.select({ id: table.id, credential: table.credential }).from(table));
  expectTypeOf(partial).toEqualTypeOf<{ id: string; credential: Connection | null }[]>();
  // @ts-expect-error: a select without the id cannot be opened
  await creds.open(await db.select({ credential: table.credential }).from(table));

  // lookups: by a term, only on an indexed field.
  expectTypeOf(await creds.term('accessToken', 't')).toEqualTypeOf<BlindIndexToken | undefined>();
  const token = await creds.term('accessToken', 't');
  if (token !== undefined) await db.select().from(table).where(eq(table.accessTokenIx, token));
  const found = await creds.find('accessToken', 't', (where) => db.select().from(table).where(where));
  expectTypeOf(found[0]?.credential).toEqualTypeOf<Connection | null | undefined>();
  // @ts-expect-error: not a secret field of the schema
  await creds.where('providerSlug', 'x');
}

// Options are the table's property names.
// @ts-expect-error: no such column
credentials(sealer, table, { id: 'nope', column: 'credential' });
// @ts-expect-error: no such column
credentials(sealer, table, { id: 'id', column: 'credential', index: { accessToken: 'nope' } });
// Without index columns there is nothing to look up.
const plain = credentials(sealer, table, { id: 'id', column: 'credential' });
expectTypeOf(plain.where).parameter(0).toEqualTypeOf<never>();

// SQLite: the same types.
const lite = sqliteConnections('connections');
const liteCreds = sqliteCredentials(sealer, lite, { id: 'id', column: 'credential' });
expectTypeOf<
  Awaited<ReturnType<typeof liteCreds.open<(typeof lite)['$inferSelect']>>>[number]['credential']
>().toEqualTypeOf<Connection | null>();

void usage;
