// Usage: pnpm --filter swap-stores start [memory | sqlite:<path> | redis://host:port]
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
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';
import { app } from './app.js';

function pickStore(spec: string): VaultStore {
  if (spec === 'memory') return keyvStore(); // in-process Keyv Map: tests and throwaway data
  if (spec.startsWith('sqlite:')) return sqliteStore({ path: spec.slice(7) }); // one machine: the embedded default
  if (spec.startsWith('redis://')) return redisStore({ url: spec }); // many service instances sharing one store
  throw new Error(`unknown store "${spec}": use memory, sqlite:<path> or redis://host:port`);
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
