// Usage: pnpm --filter swap-stores start [memory | sqlite:<path> | redis://host:port | postgres://user:pw@host/db]
// One line picks the store; app() does not change.
import {
  connectionSchema,
  createVault,
  formatKeyEntry,
  generateKey,
  keyringFromEnv,
  keyvStore,
  type VaultStore,
} from '@credvault/core';
import { postgresStore } from '@credvault/postgres';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';
import { app } from './app.js';

function pickStore(spec: string): VaultStore {
  if (spec === 'memory') return keyvStore(); // in-process Keyv Map: tests and throwaway data
  if (spec.startsWith('sqlite:')) return sqliteStore({ path: spec.slice(7) }); // one machine: the embedded default
  if (spec.startsWith('redis://')) return redisStore({ url: spec }); // many service instances sharing one store
  if (spec.startsWith('postgres://')) return postgresStore({ url: spec }); // the database you already run and back up
  throw new Error(`unknown store "${spec}": use memory, sqlite:<path>, redis://host:port or postgres://...`);
}

process.env.CREDVAULT_KEYS ??= formatKeyEntry('demo', generateKey());
const spec = process.argv[2] ?? 'memory';
const vault = createVault({
  store: pickStore(spec),
  keyring: keyringFromEnv(),
  schema: connectionSchema,
  namespace: 'swap-demo',
});
console.log(`store: ${vault.store.name} (${spec.replace(/\/\/[^@/]*@/, '//***@')})`);
for (const line of await app(vault)) console.log(`  ${line}`);
await vault.close();
