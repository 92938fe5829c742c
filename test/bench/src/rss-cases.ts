import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKey, type KeyEntry } from '@credvault/core';
import { seed } from './rotation-cases.js';

const run = promisify(execFile);

/**
 * Peak RSS (MB, median of three fresh processes, each rotating `count` freshly seeded records
 * on `spec` with the worker pool at the default batch size, as an application would: no forced
 * GC), the live-heap growth (MB, after full GCs every 10,000 records, in one more process that
 * rotates the last namespace back, since forcing GCs would lower the peak it measures) and the
 * peak RSS of one process rotating without the pool.
 */
export async function peakRss(spec: string, count: number): Promise<PeakRss> {
  const peaks: Rotated[] = [];
  for (let i = 0; i < 3; i++) peaks.push(await rotateFresh(spec, `rss${count}x${i}`, count, 'peak'));
  const median = (pick: (p: Rotated) => number) => peaks.map(pick).sort((a, b) => a - b)[1] as number;
  const { namespace, back } = peaks.at(-1) as Rotated;
  const live = (await child(spec, namespace, count, back, 'live')).liveGrowthKb / 1024;
  // The same rotation without the pool, once: whether the growth comes with it.
  const oneThread = (await rotateFresh(spec, `rss${count}x1t`, count, 'one-thread')).rss;
  return {
    namespace,
    rss: median((p) => p.rss),
    ms: median((p) => p.ms),
    live,
    oneThread,
    heapPeak: median((p) => p.heapPeak),
    fullGcs: median((p) => p.fullGcs),
    afterFullGc: median((p) => p.afterFullGc),
  };
}

/** What {@link peakRss} measures; sizes in MB, times in ms, each the median of three processes but `live` and `oneThread`. */
export interface PeakRss {
  /** A namespace of `count` records it leaves in the store (rotated there and back), for {@link peakOfScan}. */
  readonly namespace: string;
  /** Peak RSS of the process, worker threads included. */
  readonly rss: number;
  /** The rotation's time. */
  readonly ms: number;
  /** Growth of the main thread's heap after full GCs (one more process, forcing them). */
  readonly live: number;
  /** Peak RSS of one process rotating without the pool. */
  readonly oneThread: number;
  /** The main thread's V8 heap at its highest during the rotation (sampled every 20 ms). */
  readonly heapPeak: number;
  /** How many full collections V8 ran on the main thread during the rotation. */
  readonly fullGcs: number;
  /** The most heap a full collection left on the main thread (0 if none ran). */
  readonly afterFullGc: number;
}

/**
 * Peak RSS (MB) and rotation time (ms) of one fresh process rotating `count` freshly seeded
 * records with the worker pool and no forced GC, at `batchSize` (default: the vault's): how the
 * peak moves past the sizes {@link peakRss} compares, and with the batch size.
 */
export async function peakOnce(spec: string, count: number, batchSize?: number): Promise<{ rss: number; ms: number }> {
  return rotateFresh(spec, `rss${count}b${batchSize ?? 'default'}`, count, 'peak', batchSize);
}

/**
 * Peak RSS (MB) and time (ms) of one fresh process rotating `rounds` namespaces of `count` freshly
 * seeded records each, one after the other with one pool: as much work as one rotation of
 * `rounds * count` records with only `count` in each. Equal peaks mean the peak follows the work
 * done (how far V8 has grown its heap), not the number of records.
 */
export async function peakOfRounds(spec: string, count: number, rounds: number): Promise<{ rss: number; ms: number }> {
  const namespaces = Array.from({ length: rounds }, (_, i) => `rss${count}r${rounds}n${i}`);
  return rotateFresh(spec, namespaces.join(','), count * rounds, 'peak', undefined, count);
}

/**
 * Peak RSS (MB, median of three fresh processes) and time (ms) of a process that only reads the
 * `count` records of `namespace` on `spec` (`store.entries`, no vault, no pool, nothing kept):
 * what the store's read path alone does to the peak, the bound under a rotation's.
 */
export async function peakOfScan(spec: string, namespace: string, count: number): Promise<{ rss: number; ms: number }> {
  const scans: ChildResult[] = [];
  const unused = [{ kid: 'scan', key: generateKey() }]; // the child wants a keyring; a scan uses none
  for (let i = 0; i < 3; i++) scans.push(await child(spec, namespace, count, unused, 'scan'));
  const median = (pick: (r: ChildResult) => number) => scans.map(pick).sort((a, b) => a - b)[1] as number;
  return { rss: median((r) => r.maxRssKb) / 1024, ms: median((r) => r.ms) };
}

/** One child's peak RSS (MB) and time (ms), with the keys that rotate its namespace back. */
interface Rotated extends Pick<PeakRss, 'rss' | 'ms' | 'heapPeak' | 'fullGcs' | 'afterFullGc'> {
  readonly namespace: string;
  readonly back: KeyEntry[];
}

/**
 * Seeds `count` records into `namespace` (comma-separated namespaces: `each` records into each)
 * under a fresh key and rotates them to another in a child.
 */
async function rotateFresh(
  spec: string,
  namespace: string,
  count: number,
  mode: 'peak' | 'one-thread',
  batchSize?: number,
  each = count,
): Promise<Rotated> {
  const [old, next] = [
    { kid: 'old', key: generateKey() },
    { kid: 'new', key: generateKey() },
  ];
  for (const one of namespace.split(',')) await seed(spec, one, each, [old]);
  const result = await child(spec, namespace, count, [next, old], mode, batchSize);
  return {
    rss: result.maxRssKb / 1024,
    ms: result.ms,
    heapPeak: result.heapPeakKb / 1024,
    fullGcs: result.fullGcs,
    afterFullGc: result.afterFullGcKb / 1024,
    namespace,
    back: [old, next],
  };
}

async function child(
  spec: string,
  namespace: string,
  count: number,
  keys: readonly KeyEntry[],
  mode: 'peak' | 'live' | 'one-thread' | 'scan',
  batchSize?: number,
): Promise<ChildResult> {
  const script = new URL('./rss-child.ts', import.meta.url).pathname;
  const flags = mode === 'live' ? ['--expose-gc'] : [];
  const { stdout } = await run(
    process.execPath,
    [...flags, '--import', 'tsx', script, spec, namespace, mode, String(batchSize ?? '')],
    {
      env: {
        ...process.env,
        CREDVAULT_KEYS: keys.map((k) => `${k.kid}:${Buffer.from(k.key).toString('base64url')}`).join(','),
      },
      maxBuffer: 1 << 20,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop() as string) as ChildResult;
  if ((mode !== 'scan' && result.rewrapped !== count) || result.scanned !== count) {
    throw new Error(`rss child (${mode}) rotated ${result.rewrapped} of ${result.scanned} scanned, ${count} seeded`);
  }
  return result;
}

/** What `rss-child.ts` prints (sizes in KB). */
interface ChildResult {
  readonly maxRssKb: number;
  readonly liveGrowthKb: number;
  readonly heapPeakKb: number;
  readonly fullGcs: number;
  readonly afterFullGcKb: number;
  readonly rewrapped: number;
  readonly scanned: number;
  readonly ms: number;
}
