// credvault in a Drizzle application on PostgreSQL, adopted on the table it already has.
// Run: DATABASE_URL=postgres://... CREDVAULT_KEYS="$(npx credvault keygen --kid 2025-01)" pnpm --filter drizzle-postgres start
// It DROPS and recreates the tables connections and credvault_keys: give it a database of its own.
import { randomUUID } from 'node:crypto';
import { formatKeyEntry, generateKey, type KeyStatus, parseKeyList } from '@credvault/core';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { openCredvault } from './credvault.js';
import { settingsFromEnv } from './env.js';
import { connections } from './schema.js';
import { connection, seedPlaintext } from './seed.js';

const { databaseUrl, keys } = settingsFromEnv();
const pool = new pg.Pool({ connectionString: databaseUrl });
const db = drizzle({ client: pool });
const keyring = parseKeyList(keys);
const oldKid = keyring.primaryKid;

/** One line of `vault.status()`: records, legacy values, records per key id. */
const summary = (s: KeyStatus) =>
  `status: ${s.total} records, ${s.legacy} legacy${Object.entries(s.kids)
    .filter(([kid]) => kid !== '?')
    .map(([kid, n]) => `, on ${kid}: ${n}`)
    .join('')}`;

console.log('== 1. the table as the application has it');
await seedPlaintext(pool);
const [first] = await db.select().from(connections).limit(1);
console.log(`  ${await db.$count(connections)} connections, tokens stored as plain JSON:`);
console.log(`  ${first?.credential?.slice(0, 100)}...`);

console.log('\n== 2. read them through the legacy reader: typed, and each one reported');
let cv = openCredvault(pool, keyring, { adopting: true });
cv.sealer.on('legacy', (event) => console.log(`  legacy event: ${event.id} read by ${event.reader}`));
const rows = await cv.creds.open(await db.select().from(connections).orderBy(connections.id));
for (const { id, userId, credential } of rows) {
  // credential is a Connection: its dates are Dates
  console.log(
    `  ${id} ${userId}: ${credential?.providerSlug}, expires ${credential?.expirationTimestamp.toISOString()}`,
  );
}
console.log(`  ${summary(await cv.vault.status())}`);

console.log('\n== 3. migrate: every plaintext value becomes a cv1 envelope, and its index term is filled');
// In code, with the application's own settings (`credvault migrate --table ...` works too: see the README).
const dryRun = await cv.vault.migrate({ dryRun: true });
console.log(`  dry run: ${dryRun.migrated} would be migrated, nothing written`);
const migrated = await cv.vault.migrate(); // compare-and-set per row: the application's writes meanwhile win
console.log(
  `  migrated ${migrated.migrated}, already sealed ${migrated.alreadyCurrent}, failed ${migrated.failed.length}`,
);
console.log(`  ${summary(await cv.vault.status())}`);
await cv.close();

console.log('\n== 4. rotate the master key');
// In production: `credvault keygen --kid 2026-01`, add it LAST to CREDVAULT_KEYS and deploy, then
// move it FIRST and deploy again. Here both at once. The migration is done, so the application
// drops the legacy reader: from now on a plaintext value is refused (DECRYPT_FAILED).
const newKid = `rotated-${Date.now()}`;
cv = openCredvault(pool, parseKeyList(`${formatKeyEntry(newKid, generateKey())},${keys}`), { adopting: false });
console.log(`  added and promoted ${newKid}; ${oldKid} stays in the keyring to open what it sealed`);
const rotated = await cv.vault.rotate(); // or: credvault rotate --table connections ...
console.log(
  `  rewrapped ${rotated.rewrapped} (the connections and the index key) to ${rotated.primaryKid}, failed ${rotated.failed.length}`,
);
const status = await cv.vault.status();
console.log(`  ${summary(status)}`);
const [records, vaultRecords] = [status.kids[oldKid] ?? 0, status.vaultRecords.kids[oldKid] ?? 0];
console.log(
  `  ${oldKid} now holds ${records} records and ${vaultRecords} vault records: ` +
    (records + vaultRecords === 0 ? 'it can leave CREDVAULT_KEYS' : 'keep it'),
);

console.log('\n== 5. the application: find a connection by its token, add one in a transaction');
const byToken = (token: string) =>
  cv.creds.find('accessToken', token, (where) => db.select().from(connections).where(where));
const [bob] = await byToken('ya29.access-bob');
console.log(
  `  find(accessToken of bob) -> ${bob ? `${bob.id} (${bob.userId}, ${bob.credential?.providerSlug})` : 'no row'}`,
);
const [unknown] = await byToken('ya29.not-a-token');
console.log(`  find(an unknown token) -> ${unknown?.id ?? 'no row'}`);

const id = randomUUID(); // the envelope is bound to the id: give it before sealing
await db.transaction(async (tx) => {
  const dave = connection(id, 'dave', 'hubspot', '2030-01-04T00:00:00Z');
  await tx.insert(connections).values(await cv.creds.seal({ id, userId: 'dave', credential: dave }));
  const [found] = await cv.creds.find('accessToken', dave.accessToken, (where) =>
    tx.select().from(connections).where(where),
  );
  console.log(`  inserted ${id} in a transaction; find(its token) -> ${found?.id ?? 'no row'}`);
});

await cv.close();
await pool.end();
