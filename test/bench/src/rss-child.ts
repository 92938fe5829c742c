// Rotates one namespace in a fresh process, with the worker pool, and prints its peak RSS
// (worker threads included: they share the process).
import { connectionSchema, createVault, type KeyEntry, keyringFromEnv } from '@credvault/core';
import { rewrapPool } from '@credvault/worker-pool';
import { openSpec } from './spec.js';

const [spec, namespace] = process.argv.slice(2) as [string, string];
const keys: KeyEntry[] = (process.env.CREDVAULT_KEYS ?? '').split(',').map((entry) => {
  const [kid, key] = entry.split(':') as [string, string];
  return { kid, key: new Uint8Array(Buffer.from(key, 'base64url')) };
});
const vault = createVault({ store: openSpec(spec), keyring: keyringFromEnv(), schema: connectionSchema, namespace });
const pool = process.env.BENCH_NO_POOL === '1' ? undefined : rewrapPool({ keys });
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc: the live heap cannot be measured without it');
gc();
const base = process.memoryUsage().heapUsed;
let liveGrowth = 0;
const report = await vault.rotate({
  batchSize: 500,
  ...(pool === undefined ? {} : { executor: pool }),
  onProgress: (p) => {
    if (p.scanned % 10_000 >= 500) return; // sample the live heap (after a full GC) every 10,000 records
    gc();
    liveGrowth = Math.max(liveGrowth, process.memoryUsage().heapUsed - base);
  },
});
await pool?.close();
await vault.close();
console.log(
  JSON.stringify({
    maxRssKb: process.resourceUsage().maxRSS,
    liveGrowthKb: liveGrowth / 1024,
    rewrapped: report.rewrapped,
  }),
);
