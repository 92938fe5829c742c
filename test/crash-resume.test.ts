import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionSchema, createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { suiteConnection, usePostgresServer, useRedisCluster } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { storeFromSpec } from './support/stores.js';

const RECORDS = 3000;
const ROUNDS = 10;
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
const dir = await mkdtemp(join(tmpdir(), 'credvault-crash-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const postgres = usePostgresServer({ beforeAll, afterAll });
const redisCluster = useRedisCluster({ beforeAll, afterAll });
const clusterSeed: (readonly [string, string])[] = [];

/** A backend: where the seed goes, and a fresh copy of the seed for each round. */
interface Backend {
  readonly name: string;
  readonly available: boolean;
  seed(): Promise<string>;
  copy(round: number): Promise<string>;
}

const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    available: true,
    seed: async () => `sqlite:${join(dir, 'seed.db')}`,
    async copy(round) {
      await copyFile(join(dir, 'seed.db'), join(dir, `round-${round}.db`));
      return `sqlite:${join(dir, `round-${round}.db`)}`;
    },
  },
  {
    name: 'PostgreSQL',
    available: postgres.available,
    async seed() {
      await postgres.server().sql('CREATE DATABASE crash_seed');
      return postgres.server().urlFor('crash_seed');
    },
    async copy(round) {
      await postgres.server().sql(`CREATE DATABASE crash_round_${round} TEMPLATE crash_seed`);
      return postgres.server().urlFor(`crash_round_${round}`);
    },
  },
  {
    name: 'Redis Cluster',
    available: redisCluster.available,
    seed: async () => redisCluster.url(),
    async copy(round) {
      // One cluster for every round: the sealed seed values are kept and written back before each.
      const store = storeFromSpec(redisCluster.url());
      if (round === 0) for await (const entry of store.entries?.('crash:') ?? []) clusterSeed.push(entry);
      expect(clusterSeed).toHaveLength(RECORDS);
      await store.setMany?.(clusterSeed);
      await store.close?.();
      return redisCluster.url();
    },
  },
];

const token = (i: number) => `token-${i}`;

/** The scanned count of the last progress line (`rotate: <scanned>/<total> …`), -1 before the first. */
function scannedSoFar(stderr: string): number {
  const lines = [...stderr.matchAll(/^rotate: (\d+)\//gm)];
  return lines.length === 0 ? -1 : Number(lines[lines.length - 1]?.[1]);
}

/** Every record opens (under either key) and equals what was stored; returns how many are on k2. */
async function check(spec: string): Promise<number> {
  const store = storeFromSpec(spec);
  const vault = createVault({
    store,
    keyring: parseKeyList(`${K2},${K1}`),
    schema: connectionSchema,
    namespace: 'crash',
  });
  const ids = new Set<string>();
  for await (const [id, record] of vault.entries()) {
    expect(record.accessToken).toBe(token(Number(id.slice(1))));
    ids.add(id);
  }
  expect(ids.size).toBe(RECORDS); // none lost, none duplicated
  const { kids } = await vault.status();
  await vault.close();
  return kids.k2 ?? 0;
}

describe.each(BACKENDS)('credvault rotate killed with SIGKILL at random moments on $name', (backend) => {
  it.skipIf(!backend.available)(
    `loses nothing over ${ROUNDS} kills, and a second run finishes the job`,
    async () => {
      const seedSpec = await backend.seed();
      const seed = createVault({
        store: storeFromSpec(seedSpec),
        keyring: parseKeyList(K1),
        schema: connectionSchema,
        namespace: 'crash',
      });
      await seed.setMany(
        Array.from(
          { length: RECORDS },
          (_, i) => [`c${i}`, suiteConnection(`c${i}`, { accessToken: token(i) })] as const,
        ),
      );
      await seed.close();

      const moments: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const spec = await backend.copy(round);
        const run = startCli(['rotate', '--store', spec, '--namespace', 'crash', '--batch-size', '10'], `${K2},${K1}`);
        // Round r waits for the progress line that shows r tenths scanned (one line per tenth), then
        // a random moment more: the kills spread over the run however fast this machine rotates.
        while (scannedSoFar(run.stderr()) < (round * RECORDS) / ROUNDS && run.child.exitCode === null)
          await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 50)));
        run.child.kill('SIGKILL');
        await run.exit;
        const movedBeforeKill = await check(spec);
        moments.push(movedBeforeKill);

        const resume = await runCli(['rotate', '--store', spec, '--namespace', 'crash', '--json'], `${K2},${K1}`);
        expect(resume.code).toBe(0);
        const report = JSON.parse(resume.stdout);
        expect(report.rewrapped + report.alreadyCurrent).toBe(RECORDS);
        expect(report.alreadyCurrent).toBe(movedBeforeKill);
        expect(await check(spec)).toBe(RECORDS);
      }
      // The kills landed at different points of the run, not all at its start or end.
      expect(new Set(moments).size).toBeGreaterThanOrEqual(5);
      expect(moments.some((m) => m > 0 && m < RECORDS)).toBe(true);
    },
    300_000,
  );
});
