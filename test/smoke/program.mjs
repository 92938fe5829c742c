// The short program a user would write, run from the installed tarballs under each runtime.
// Usage: <runtime> program.mjs <runtime-name> <store> <target>
//   store sqlite (target: file path) | redis (target: redis://...) | postgres (target: postgres://...)
// Writes one record named after the runtime, reads back every record earlier runtimes wrote
// (whichever XChaCha20-Poly1305 path sealed them: the bytes must open either way), prints one JSON line.
import { connectionSchema, createVault, cryptoReady, parseKeyList } from '@credvault/core';

const [runtime, kind, target] = process.argv.slice(2);
const keyring = parseKeyList(process.env.SMOKE_KEYS);

async function openStore() {
  if (kind === 'sqlite') return (await import('@credvault/sqlite')).sqliteStore({ path: target });
  if (kind === 'redis') return (await import('@credvault/redis')).redisStore({ url: target });
  if (kind === 'postgres') return (await import('@credvault/postgres')).postgresStore({ url: target });
  throw new Error(`unknown store ${kind}`);
}

const store = await openStore();
try {
  const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'smoke' });
  const id = `conn-${runtime}`;
  await vault.set(id, {
    idConnection: id,
    status: 'active',
    providerSlug: 'hubspot',
    vertical: 'crm',
    accountUrl: 'https://example.com/account',
    tokenType: 'oauth2',
    accessToken: `access-${runtime}`,
    refreshToken: `refresh-${runtime}`,
    expirationTimestamp: '2026-10-01T12:00:00Z',
    createdAt: '2026-10-01T12:00:00Z',
    connectionToken: `token-${runtime}`,
    idProject: 'smoke',
    idLinkedUser: 'user-1',
  });
  const opened = [];
  for await (const [key, record] of vault.entries({ where: { idProject: 'smoke' } })) {
    const name = key.slice('conn-'.length);
    if (record.accessToken !== `access-${name}` || record.refreshToken !== `refresh-${name}`)
      throw new Error(`record ${key} opened to the wrong secrets`);
    opened.push(name);
  }
  if (!opened.includes(runtime)) throw new Error(`record ${id} was not read back`);
  console.log(JSON.stringify({ runtime, store: kind, crypto: await cryptoReady(), opened: opened.sort() }));
} finally {
  await store.close();
}
