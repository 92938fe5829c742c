// A small driver for `node --cpu-prof`: vault.get / vault.set / rotate over memory and SQLite.
// node --import tsx src/profile-driver.ts (the built packages: pnpm build first; add --conditions=@credvault/source for the sources) <case> [n] [profile.cpuprofile]
// Cases: get-memory, get-sqlite, set-memory, set-sqlite, rotate-memory, rotate-sqlite, rotate-sqlite-pool. Only the
// measured phase is profiled (through node:inspector), not the seeding.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectionSchema,
  createKeyring,
  createVault,
  cryptoReady,
  generateKey,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { rewrapPool } from '@credvault/worker-pool';
import { typicalConnection } from './records.js';

const [which = 'get-memory', count = '20000', profileOut] = process.argv.slice(2);
await cryptoReady(); // the AEAD path an application has a few milliseconds after import
const session = new Session();
session.connect();
await session.post('Profiler.enable');
const profile = async (phase: () => Promise<void>) => {
  if (profileOut !== undefined) await session.post('Profiler.start');
  await phase();
  if (profileOut === undefined) return;
  const { profile: data } = await session.post('Profiler.stop');
  await writeFile(profileOut, JSON.stringify(data));
};
const n = Number(count);
const dir = await mkdtemp(join(tmpdir(), 'credvault-prof-'));
const store = (): VaultStore => (which.includes('sqlite') ? sqliteStore({ path: join(dir, 'p.db') }) : memoryStore());
const old = { kid: 'old', key: generateKey() };
const next = { kid: 'new', key: generateKey() };
const s = store();
const vault = createVault({ store: s, keyring: createKeyring([old]), schema: connectionSchema, namespace: 'p' });
const ids = Array.from({ length: Math.min(n, 1000) }, (_, i) => `c${i}`);
const start = performance.now();
if (which.startsWith('get')) {
  for (const id of ids) await vault.set(id, typicalConnection(Number(id.slice(1))));
  const t = performance.now();
  await profile(async () => {
    for (let i = 0; i < n; i++) await vault.get(ids[i % ids.length] as string);
  });
  console.log(`${which}: ${(((performance.now() - t) / n) * 1000).toFixed(1)} µs/get`);
} else if (which.startsWith('set')) {
  await profile(async () => {
    for (let i = 0; i < n; i++) await vault.set(ids[i % ids.length] as string, typicalConnection(i));
  });
  console.log(`${which}: ${(((performance.now() - start) / n) * 1000).toFixed(1)} µs/set`);
} else {
  for (let i = 0; i < n; i += 1000)
    await vault.setMany(Array.from({ length: 1000 }, (_, j) => [`c${i + j}`, typicalConnection(i + j)] as const));
  const rot = createVault({ store: s, keyring: createKeyring([next, old]), schema: connectionSchema, namespace: 'p' });
  const t = performance.now();
  const pool = which.endsWith('-pool') ? rewrapPool({ keys: [next, old] }) : undefined;
  let report = { rewrapped: 0 };
  await profile(async () => {
    report = await rot.rotate({ batchSize: 500, ...(pool === undefined ? {} : { executor: pool }) });
  });
  await pool?.close();
  console.log(
    `${which}: ${(((performance.now() - t) / n) * 1000).toFixed(1)} µs/record, ${report.rewrapped} rewrapped`,
  );
}
await vault.close();
await rm(dir, { recursive: true, force: true });
