// pnpm bench [--quick] [--records N] [--time MS] [--out FILE] [--no-redis] [--no-postgres]
// Prints one table of medians and ratios measured in this run, and writes them to BENCHMARKS.md.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  hasPostgresServer,
  hasRedisServer,
  type PostgresServer,
  type RedisServer,
  startPostgresServer,
  startRedisServer,
} from '@credvault/test-suite';
import { cryptoCases } from './crypto-cases.js';
import { machine, ms, ratio, splice, table } from './report.js';
import { peakRss, type RotationResult, rotationCase } from './rotation-cases.js';
import { backends, storeCases } from './store-cases.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    records: { type: 'string' },
    time: { type: 'string' },
    out: { type: 'string' },
    'no-redis': { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const quick = args.quick === true;
const records = Number(args.records ?? (quick ? 2000 : 100_000));
const small = Math.max(100, Math.floor(records / 10));
const timeMs = Number(args.time ?? (quick ? 150 : 2000));
const out = args.out ?? (quick ? undefined : new URL('../../../BENCHMARKS.md', import.meta.url).pathname);

const dir = await mkdtemp(join(tmpdir(), 'credvault-bench-'));
let redis: RedisServer | undefined;
if (args['no-redis'] !== true && hasRedisServer()) redis = await startRedisServer();
let postgres: PostgresServer | undefined;
if (args['no-postgres'] !== true && hasPostgresServer()) postgres = await startPostgresServer();
const log = (text: string) => process.stderr.write(`${text}\n`);
const sections: string[] = [
  `${machine()}\n- sizes: ${records} records for rotation (naive loop on a sample), ${timeMs} ms per case`,
];
const targets: [string, string, boolean][] = [];

try {
  log('seal + open of one record ...');
  for (const { shape, results } of await cryptoCases(timeMs)) {
    const floor = results[0]?.medianMs as number;
    sections.push(
      `### Seal + open of one ${shape}\n\n${table(
        ['case', 'median', 'vs floor'],
        results.map((r) => [r.name, ms(r.medianMs), ratio(r.medianMs / floor)]),
      )}`,
    );
    const [, envelope, cloak] = results as [unknown, { medianMs: number }, { medianMs: number }];
    if (shape === 'Connection') {
      targets.push([
        'seal + open of a Connection ≤ 1.5x the node:crypto floor',
        ratio(envelope.medianMs / floor),
        envelope.medianMs / floor <= 1.5,
      ]);
      targets.push([
        '… and faster than cloak',
        `${ratio(cloak.medianMs / envelope.medianMs)} faster`,
        envelope.medianMs < cloak.medianMs,
      ]);
    }
  }

  log('vault.set + get against raw keyv ...');
  const stores = await storeCases(backends(dir, redis?.url, postgres?.url), timeMs);
  sections.push(
    `### vault.set + get against keyv.set + get of the same plaintext Connection\n\n${table(
      ['store', 'keyv (baseline)', 'credvault', 'ratio'],
      stores.map(({ backend, results }) => {
        const [raw, vault] = results as unknown as [{ medianMs: number }, { medianMs: number }];
        if (backend !== 'memory')
          targets.push([
            `set + get on ${backend} ≤ 1.15x raw Keyv`,
            ratio(vault.medianMs / raw.medianMs),
            vault.medianMs / raw.medianMs <= 1.15,
          ]);
        return [backend, ms(raw.medianMs), ms(vault.medianMs), ratio(vault.medianMs / raw.medianMs)];
      }),
    )}`,
  );

  log(`rotation of ${records} records ...`);
  const specs: [string, string][] = [['SQLite', `sqlite:${join(dir, 'rotation.db')}`]];
  if (redis !== undefined) specs.push(['Redis', redis.url]);
  if (postgres !== undefined) specs.push(['PostgreSQL', postgres.url]);
  const rotations: [string, RotationResult][] = [];
  for (const [name, spec] of specs)
    rotations.push([name, await rotationCase(spec, records, Math.min(records, quick ? 500 : 10_000))]);
  sections.push(
    `### Rotation of ${records} records\n\n${table(
      [
        'store',
        'credvault rotate',
        'records/s',
        'naive keyv get + set loop',
        'speedup',
        'crypto-only floor',
        'rotate / floor',
      ],
      rotations.map(([name, r]) => {
        const naive = r.naivePerRecordMs * r.records;
        targets.push([
          `rotation on ${name} ≥ 10x faster than the naive loop`,
          ratio(naive / r.rotateMs),
          naive / r.rotateMs >= 10,
        ]);
        targets.push([
          `rotation on ${name} ≥ half the speed of the crypto floor`,
          `${ratio(r.rotateMs / r.floorMs)} the floor's time`,
          r.rotateMs <= 2 * r.floorMs,
        ]);
        return [
          name,
          ms(r.rotateMs),
          Math.round((r.records / r.rotateMs) * 1000),
          `${ms(naive)} (${ms(r.naivePerRecordMs)}/record on ${r.naiveSample})`,
          ratio(naive / r.rotateMs),
          ms(r.floorMs),
          ratio(r.rotateMs / r.floorMs),
        ];
      }),
    )}`,
  );

  log('peak RSS ...');
  const rss: string[][] = [];
  for (const [name, spec] of specs) {
    const [a, b] = [await peakRss(spec, small), await peakRss(spec, records)];
    const growth = b.rss - a.rss;
    targets.push([
      `peak RSS on ${name}: ${records} records ≤ ${small} + 30 MB`,
      `+${growth.toFixed(1)} MB`,
      growth <= 30,
    ]);
    rss.push([
      name,
      `${a.rss.toFixed(1)} MB`,
      `${b.rss.toFixed(1)} MB`,
      `+${growth.toFixed(1)} MB`,
      `${a.live.toFixed(1)} / ${b.live.toFixed(1)} MB`,
    ]);
  }
  const rssHead = ['store', `${small} records`, `${records} records`, 'difference', 'live heap growth after GC'];
  sections.push(`### Peak RSS of a process rotating ${small} vs ${records} records\n\n${table(rssHead, rss)}`);
  sections.push(
    `### Targets\n\n${table(
      ['target', 'measured', 'met'],
      targets.map(([t, m, ok]) => [t, m, ok ? 'yes' : '**no**']),
    )}`,
  );
} finally {
  await redis?.stop();
  await postgres?.destroy();
  await rm(dir, { recursive: true, force: true });
}

const generated = sections.join('\n\n');
process.stdout.write(`${generated}\n`);
if (out !== undefined) {
  const previous = await readFile(out, 'utf8').catch(() => '');
  await writeFile(out, splice(previous, generated));
  log(`wrote ${out}`);
}
