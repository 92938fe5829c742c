// credvault quickstart: store, read, list and delete a Connection in a SQLite file.
// Run from the repository root: pnpm demo
import { rm } from 'node:fs/promises';
import {
  type ConnectionInput,
  connectionSchema,
  createVault,
  formatKeyEntry,
  generateKey,
  keyringFromEnv,
  redact,
} from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';

const file = process.env.QUICKSTART_DB ?? new URL('./quickstart.db', import.meta.url).pathname;
await rm(file, { force: true });

// 1. Keys. In production CREDVAULT_KEYS comes from your secret manager: `kid:base64url,...`, primary first.
if (process.env.CREDVAULT_KEYS === undefined) {
  process.env.CREDVAULT_KEYS = formatKeyEntry('demo-1', generateKey());
  console.log('CREDVAULT_KEYS is not set: using a throwaway key for this demo.\n');
}

// 2. A vault of Connections in a SQLite file (swap in redisStore({ url }) to share it between instances).
const vault = createVault({
  store: sqliteStore({ path: file }),
  keyring: keyringFromEnv(),
  schema: connectionSchema,
  namespace: 'connections',
});

const connection: ConnectionInput = {
  idConnection: '123e4567-e89b-12d3-a456-426614174000',
  status: 'active',
  providerSlug: 'hubspot',
  vertical: 'crm',
  accountUrl: 'https://example.com/account',
  tokenType: 'oauth2',
  accessToken: 'access_token_example',
  refreshToken: 'refresh_token_example',
  expirationTimestamp: '2024-10-01T12:00:00Z',
  createdAt: '2024-10-01T12:00:00Z',
  connectionToken: 'connection_token_example',
  idProject: '123e4567-e89b-12d3-a456-426614174001',
  idLinkedUser: '123e4567-e89b-12d3-a456-426614174002',
};

// 3. Store: validate, seal the secret fields, write.
await vault.set(connection.idConnection, connection);
await vault.set('second-connection', { ...connection, idConnection: 'second-connection', providerSlug: 'salesforce' });
console.log(`stored 2 connections in ${file}\n`);

// 4. What the store holds: readable fields in clear (and authenticated), secrets sealed.
const raw = String(await vault.store.get(`connections:${connection.idConnection}`));
console.log('raw stored value:');
console.log(`  ${raw}\n`);
const leaked = ['access_token_example', 'refresh_token_example', 'connection_token_example'].filter((s) =>
  raw.includes(s),
);
console.log(`secrets visible in the stored value: ${leaked.length === 0 ? 'none' : leaked.join(', ')}\n`);

// 5. Read: the exact typed record back, dates as Date.
const loaded = await vault.get(connection.idConnection);
console.log('get ->', loaded === undefined ? 'missing' : redact(loaded));
console.log(`accessToken round-trips: ${loaded?.accessToken === connection.accessToken}\n`);

// 6. List, filtered on a readable field.
for await (const [id, record] of vault.entries({ where: { idProject: connection.idProject } })) {
  console.log(`entries -> ${id} (${record.providerSlug}, expires ${record.expirationTimestamp.toISOString()})`);
}

// 7. Delete.
console.log(`\ndelete -> ${await vault.delete(connection.idConnection)}`);
console.log(`get after delete -> ${await vault.get(connection.idConnection)}`);
await vault.close();
