import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  type KeyEntry,
  type RotateReport,
} from '@credvault/core';
import type { PostgresStore } from '@credvault/postgres';
import type { RedisStore } from '@credvault/redis';
import type { SqliteStore } from '@credvault/sqlite';
import { wrapContext } from '../../../packages/core/src/envelope.js';
import { timeOnce } from './measure.js';
import { typicalConnection } from './records.js';
import { openSpec } from './spec.js';

const run = promisify(execFile);

/** One store's rotation numbers, all measured in this run. */
export interface RotationResult {
  readonly records: number;
  readonly rotateMs: number;
  /** Per-record time of the naive loop, measured on `naiveSample` records. */
  readonly naivePerRecordMs: number;
  readonly naiveSample: number;
  readonly floorMs: number;
  readonly report: RotateReport;
}

/** Stores `count` Connections under `old` in `namespace`. */
export async function seed(spec: string, namespace: string, count: number, old: KeyEntry): Promise<void> {
  const vault = createVault({
    store: openSpec(spec),
    keyring: createKeyring([old]),
    schema: connectionSchema,
    namespace,
  });
  for (let start = 0; start < count; start += 5000) {
    const chunk = Array.from(
      { length: Math.min(5000, count - start) },
      (_, j) => [`c${start + j}`, typicalConnection(start + j)] as const,
    );
    await vault.setMany(chunk);
  }
  await vault.close();
}

/** Unwrap + rewrap of `count` DEKs in memory: the crypto a rotation cannot avoid. */
export async function cryptoFloor(count: number, old: KeyEntry, next: KeyEntry): Promise<number> {
  const keyring = createKeyring([next, old]);
  const contexts = Array.from(
    { length: count },
    (_, i) => [wrapContext(old.kid, 'floor', `c${i}`), wrapContext(next.kid, 'floor', `c${i}`)] as const,
  );
  const wrapped = contexts.map(([ctx]) => keyring.wrap(old.kid, generateKey(), ctx));
  return timeOnce(async () => {
    for (let i = 0; i < count; i++) {
      const [from, to] = contexts[i] as readonly [Uint8Array, Uint8Array];
      keyring.wrap(next.kid, keyring.unwrap(old.kid, wrapped[i] as Uint8Array, from), to);
    }
  });
}

/** Rotation of `count` records on `spec`, against the naive get+set loop and the crypto floor. */
export async function rotationCase(spec: string, count: number, naiveSample: number): Promise<RotationResult> {
  const [old, next] = [
    { kid: 'old', key: generateKey() },
    { kid: 'new', key: generateKey() },
  ];
  const namespace = `rot${count}`;
  await seed(spec, namespace, count, old);

  const store = openSpec(spec);
  const vault = createVault({ store, keyring: createKeyring([next, old]), schema: connectionSchema, namespace });
  let report: RotateReport | undefined;
  const rotateMs = await timeOnce(async () => {
    report = await vault.rotate({ batchSize: 500 });
  });

  // The naive loop a hand-rolled rotation does: one keyv get and one keyv set per record.
  const adapter = (store as SqliteStore | RedisStore | PostgresStore).adapter;
  const keys = Array.from({ length: naiveSample }, (_, i) => `${namespace}:c${i}`);
  const naiveMs = await timeOnce(async () => {
    for (const key of keys) await adapter.set(key, (await adapter.get(key)) as string);
  });
  await vault.close();
  const floorMs = await cryptoFloor(count, old, next);
  return {
    records: count,
    rotateMs,
    naivePerRecordMs: naiveMs / naiveSample,
    naiveSample,
    floorMs,
    report: report as RotateReport,
  };
}

/** Peak RSS and live-heap growth (MB), medians of three fresh processes rotating `count` seeded records on `spec`. */
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
  await seed(spec, namespace, count, old);
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
