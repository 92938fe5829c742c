// The application: stores `count` Connections (ids from `first` on) under the primary key of CREDVAULT_KEYS.
import { connectionSchema, createVault, keyringFromEnv } from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';

const [path, count, first] = [process.argv[2] as string, Number(process.argv[3] ?? 1000), Number(process.argv[4] ?? 0)];
const keyring = keyringFromEnv();
const vault = createVault({
  store: sqliteStore({ path }),
  keyring,
  schema: connectionSchema,
  namespace: 'connections',
});
await vault.setMany(
  Array.from({ length: count }, (_, n) => n + first).map((i) => [
    `conn-${i}`,
    {
      idConnection: `conn-${i}`,
      status: 'active',
      providerSlug: ['hubspot', 'salesforce', 'google'][i % 3] as string,
      vertical: 'crm',
      accountUrl: 'https://example.com/account',
      tokenType: 'oauth2' as const,
      accessToken: `access-token-${i}`,
      refreshToken: `refresh-token-${i}`,
      expirationTimestamp: '2030-01-01T00:00:00Z',
      createdAt: '2026-11-22T00:00:00Z',
      connectionToken: `connection-token-${i}`,
      idProject: `project-${i % 10}`,
      idLinkedUser: `user-${i}`,
    },
  ]),
);
await vault.close();
console.log(`the application stored ${count} connections under key ${keyring.primaryKid}`);
