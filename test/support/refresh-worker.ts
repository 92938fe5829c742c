// One process of the cross-process refresh test: waits for the start time, then refreshes
// record `c1` through the store at `spec` (Redis or PostgreSQL). The refresher appends a line to a shared file for every call.
import { appendFileSync } from 'node:fs';
import { connectionSchema, createVault, parseKeyList } from '@credvault/core';
import { storeFromSpec } from './stores.js';

const [spec, callsFile, startAt, name] = process.argv.slice(2) as [string, string, string, string];
const vault = createVault({
  store: storeFromSpec(spec),
  keyring: parseKeyList(process.env.CREDVAULT_KEYS as string),
  schema: connectionSchema,
  namespace: 'refresh',
});
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
const refreshed = await vault.refresh('c1', async (current) => {
  appendFileSync(callsFile, `${name}\n`);
  await new Promise((r) => setTimeout(r, 300)); // a slow provider
  return { ...current, accessToken: `access-from-${name}`, expirationTimestamp: new Date(Date.now() + 3_600_000) };
});
await vault.close();
console.log(JSON.stringify({ accessToken: refreshed.accessToken }));
