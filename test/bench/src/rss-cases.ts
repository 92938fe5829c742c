import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKey } from '@credvault/core';
import { seed } from './rotation-cases.js';

const run = promisify(execFile);

/** Peak RSS and live-heap growth (MB), medians of three fresh processes rotating `count` seeded records on `spec` (with the worker pool, as the bench's rotation does). */
export async function peakRss(spec: string, count: number): Promise<{ rss: number; live: number }> {
  const runs = [await rssOnce(spec, count, 0), await rssOnce(spec, count, 1), await rssOnce(spec, count, 2)];
  const median = (pick: (r: { rss: number; live: number }) => number) =>
    runs.map(pick).sort((a, b) => a - b)[1] as number;
  return { rss: median((r) => r.rss), live: median((r) => r.live) };
}

async function rssOnce(spec: string, count: number, run_: number): Promise<{ rss: number; live: number }> {
  const [old, next] = [
    { kid: 'old', key: generateKey() },
    { kid: 'new', key: generateKey() },
  ];
  const namespace = `rss${count}x${run_}`;
  await seed(spec, namespace, count, [old]);
  const child = new URL('./rss-child.ts', import.meta.url).pathname;
  const keys = [next, old].map((k) => `${k.kid}:${Buffer.from(k.key).toString('base64url')}`).join(',');
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--conditions=@credvault/source', '--import', 'tsx', child, spec, namespace],
    {
      env: { ...process.env, CREDVAULT_KEYS: keys },
      maxBuffer: 1 << 20,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop() as string) as {
    maxRssKb: number;
    liveGrowthKb: number;
    rewrapped: number;
  };
  if (result.rewrapped !== count) throw new Error(`rss child rotated ${result.rewrapped} of ${count}`);
  return { rss: result.maxRssKb / 1024, live: result.liveGrowthKb / 1024 };
}
