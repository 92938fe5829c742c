// Rotates one namespace in a fresh process and prints its peak RSS.
import { connectionSchema, createVault, keyringFromEnv } from '@credvault/core';
import { openSpec } from './spec.js';

const [spec, namespace] = process.argv.slice(2) as [string, string];
const vault = createVault({ store: openSpec(spec), keyring: keyringFromEnv(), schema: connectionSchema, namespace });
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc: the live heap cannot be measured without it');
gc();
const base = process.memoryUsage().heapUsed;
let liveGrowth = 0;
const report = await vault.rotate({
  batchSize: 500,
  onProgress: (p) => {
    if (p.scanned % 10_000 >= 500) return; // sample the live heap (after a full GC) every 10,000 records
    gc();
    liveGrowth = Math.max(liveGrowth, process.memoryUsage().heapUsed - base);
  },
});
await vault.close();
console.log(
  JSON.stringify({
    maxRssKb: process.resourceUsage().maxRSS,
    liveGrowthKb: liveGrowth / 1024,
    rewrapped: report.rewrapped,
  }),
);
