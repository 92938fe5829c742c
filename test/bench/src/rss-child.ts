// Rotates one namespace (or several, comma-separated, one after the other with one pool) in a
// fresh process, with the worker pool, at the batch size of the fourth argument or the default
// when it is empty, and prints its peak RSS (worker threads included: they share the process),
// the rotations' time and what the main thread's V8 heap did meanwhile (its peak, sampled every
// 20 ms, the full collections and the heap each left). Mode `peak` forces no GC; mode `live` (run
// with --expose-gc) samples the live heap after a full GC every 10,000 records; mode `one-thread`
// is `peak` without the pool; mode `scan` only reads every record (`store.entries`, no vault, no
// pool, nothing kept): what the store's read path alone costs the peak.
import { readFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { connectionSchema, createVault, type KeyEntry, keyringFromEnv } from '@credvault/core';
import { rewrapPool } from '@credvault/worker-pool';
import { openSpec } from './spec.js';

const [spec, namespaces, mode, batch] = process.argv.slice(2) as [
  string,
  string,
  'peak' | 'live' | 'one-thread' | 'scan',
  string,
];
const keys: KeyEntry[] = (process.env.CREDVAULT_KEYS ?? '').split(',').map((entry) => {
  const [kid, key] = entry.split(':') as [string, string];
  return { kid, key: new Uint8Array(Buffer.from(key, 'base64url')) };
});
const store = openSpec(spec);
const keyring = keyringFromEnv();
const pool = mode === 'one-thread' || mode === 'scan' ? undefined : rewrapPool({ keys });
const gc = (globalThis as { gc?: () => void }).gc;
if (mode === 'live' && gc === undefined)
  throw new Error('run with --expose-gc: the live heap cannot be measured without it');
if (mode !== 'live' && gc !== undefined)
  throw new Error('run without --expose-gc: forced collections would lower the peak');
gc?.();
const base = process.memoryUsage().heapUsed;
let liveGrowth = 0;
let heapPeak = 0;
let fullGcs = 0;
let afterFullGc = 0;
const sampleHeap = () => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
};
const sampler = setInterval(sampleHeap, 20);
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
    fullGcs++;
    afterFullGc = Math.max(afterFullGc, process.memoryUsage().heapUsed);
  }
});
if (mode !== 'live') gcObserver.observe({ entryTypes: ['gc'] });
const start = performance.now();
let rewrapped = 0;
let scanned = 0;
for (const namespace of namespaces.split(',')) {
  if (mode === 'scan') {
    for await (const _ of store.entries?.(`${namespace}:`) ?? []) scanned += 1;
    continue;
  }
  const vault = createVault({ store, keyring, schema: connectionSchema, namespace });
  const report = await vault.rotate({
    ...(pool === undefined ? {} : { executor: pool }),
    ...(batch ? { batchSize: Number(batch) } : {}),
    ...(gc === undefined
      ? {}
      : {
          onProgress: (p) => {
            if (p.scanned % 10_000 >= 256) return; // once per 10,000 records
            gc();
            liveGrowth = Math.max(liveGrowth, process.memoryUsage().heapUsed - base);
          },
        }),
  });
  rewrapped += report.rewrapped;
  scanned += report.scanned;
}
const ms = performance.now() - start;
clearInterval(sampler);
sampleHeap();
gcObserver.disconnect();
await pool?.close();
await store.close?.();
console.log(
  JSON.stringify({
    maxRssKb: peakRssKb(),
    liveGrowthKb: liveGrowth / 1024,
    rewrapped,
    scanned,
    ms,
    heapPeakKb: heapPeak / 1024,
    fullGcs,
    afterFullGcKb: afterFullGc / 1024,
  }),
);

/**
 * This process's peak RSS in KB: Linux's VmHWM, the high-water mark of this process image alone.
 * Not `process.resourceUsage().maxRSS`: Linux carries a process's RSS at `fork` over into the
 * `maxRSS` of what it executes, so each child reported at least the bench's own RSS when it was
 * spawned (176.1 MB for every case of the 2026-12-07T14:44 run, however small). Elsewhere, maxRSS.
 */
function peakRssKb(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hwm !== undefined) return Number(hwm);
  } catch {
    // no /proc: not Linux
  }
  return process.resourceUsage().maxRSS;
}
