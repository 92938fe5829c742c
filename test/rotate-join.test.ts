/**
 * `credvault rotate --join` on four processes at once (issue 33 part 2): one of them is
 * SIGKILLed twice while it works (and started again after each kill), the application keeps
 * updating records meanwhile; every record ends under the new key, readable, with the
 * application's last write, on SQLite (four processes on one file), PostgreSQL, Redis and a
 * Redis Cluster.
 */
import { join } from 'node:path';
import { createVault, formatKeyEntry, generateKey, parseKeyList, type RotateReport } from '@credvault/core';
import { usePostgresServer, useRedisCluster, useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './support/cli.js';
import { counterSchema } from './support/counter.js';
import { storeFromSpec } from './support/stores.js';

const PROCESSES = 4;
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
const KEYS = `${K2},${K1}`;
const dir = await useTempDir('rotate-join', { afterAll });
const redis = useRedisServer({ beforeAll, afterAll });
const redisCluster = useRedisCluster({ beforeAll, afterAll });
const postgres = usePostgresServer({ beforeAll, afterAll });

const vaultOn = (spec: string, keys: string) =>
  createVault({ store: storeFromSpec(spec), keyring: parseKeyList(keys), schema: counterSchema, namespace: 'join' });

/** One `credvault rotate --join` process: its exit, stdout (the report) and stderr (progress lines). */
function joiner(spec: string) {
  const args = ['rotate', '--store', spec, '-n', 'join', '--join', '--run-id', 'test'];
  const started = startCli(
    [...args, '--range-size', '500', '--lease-ms', '1500', '--batch-size', '250', '--json'],
    KEYS,
  );
  let out = '';
  started.child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return { ...started, stdout: () => out };
}

async function until(what: string, condition: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rotateJoined(spec: string, records: number): Promise<void> {
  const seed = vaultOn(spec, K1);
  for (let i = 0; i < records; i += 5000) {
    const ids = Array.from({ length: Math.min(5000, records - i) }, (_, j) => i + j);
    await seed.setMany(ids.map((n) => [`r${n}`, { count: 0, token: `t${n}`, lastWriter: 'seed' }] as const));
  }
  await seed.close();

  // The application, with the new key promoted, keeps updating records during the whole run.
  const app = vaultOn(spec, KEYS);
  const expected = new Map<string, number>();
  let rotating = true;
  const writer = (async () => {
    let writes = 0;
    while (rotating) {
      const id = `r${Math.floor(Math.random() * records)}`;
      const updated = await app.update(id, (c) => c && { ...c, count: c.count + 1, lastWriter: 'app' });
      expected.set(id, updated?.count ?? Number.NaN);
      writes += 1;
    }
    return writes;
  })();

  // A run record to watch: the victim is killed once ranges are being worked on.
  const store = storeFromSpec(spec);
  const rangesDone = async () => {
    const run = await store.get('~rotate:join:test:run');
    return run === undefined ? 0 : (JSON.parse(run) as { published: number }).published;
  };
  const others = Array.from({ length: PROCESSES - 1 }, () => joiner(spec));
  let victim = joiner(spec);
  const kills: (number | null)[] = [];
  for (let kill = 0; kill < 2; kill++) {
    const before = await rangesDone();
    await until('ranges to be published', async () => (await rangesDone()) >= before + 2);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the victim is inside a range by now
    victim.child.kill('SIGKILL');
    kills.push(await victim.exit);
    victim = joiner(spec); // started again, as an operator would
  }
  const exits = await Promise.all([...others, victim].map((p) => p.exit));
  rotating = false;
  const writes = await writer;
  expect(kills).toEqual([null, null]); // really killed (no exit code)
  const reports = [...others, victim].map((p) => {
    expect(p.stderr()).not.toMatch(/Error/);
    return JSON.parse(p.stdout()) as RotateReport;
  });
  expect(exits).toEqual([0, 0, 0, 0]);
  expect(writes).toBeGreaterThan(0);

  for (const report of reports) {
    expect(report.failed).toEqual([]);
    expect(report.aborted).toBe(false);
    expect(report.rewrapped).toBeLessThanOrEqual(records);
    expect(report.rewrapped + report.alreadyCurrent + report.changedMeanwhile).toBeGreaterThanOrEqual(records);
    expect(report.join?.ranges).toBe(reports[0]?.join?.ranges); // every process reports the same run
    expect(report.rewrapped).toBe(reports[0]?.rewrapped);
  }
  // the killed processes' ranges were finished by the others; every range once
  const finishedRanges = reports.reduce((sum, r) => sum + (r.join?.mine.ranges ?? 0), 0);
  expect(finishedRanges).toBeLessThanOrEqual(reports[0]?.join?.ranges ?? 0);

  const onlyNew = vaultOn(spec, K2);
  let total = 0;
  for await (const [id, record] of onlyNew.entries()) {
    expect(record.count, id).toBe(expected.get(id) ?? 0); // the application's last write, never lost
    total += 1;
  }
  expect(total).toBe(records);
  expect((await onlyNew.status()).notOnPrimary).toBe(0);
  await Promise.all([app.close(), onlyNew.close(), store.close?.()]);
}

describe('credvault rotate --join on four processes, one killed twice', () => {
  it(
    'moves every record on SQLite (four processes on one file)',
    () => rotateJoined(`sqlite:${join(dir, 'join.db')}`, 50_000),
    120_000,
  );
  it.skipIf(!postgres.available)(
    'moves every record on PostgreSQL',
    () => rotateJoined(postgres.url(), 50_000),
    120_000,
  );
  it.skipIf(!redis.available)('moves every record on Redis', () => rotateJoined(redis.url(), 50_000), 120_000);
  it.skipIf(!redisCluster.available)(
    'moves every record on a Redis Cluster',
    () => rotateJoined(redisCluster.url(), 50_000),
    120_000,
  );
});
