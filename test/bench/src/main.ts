// pnpm bench [--quick] [--records N] [--tenants N] [--runs N] [--time MS] [--out FILE] [--no-redis] [--no-postgres]
// Runs every case several times in one process and reports each ratio (measured against a
// baseline in the same run) as median (min–max) over the runs; writes them to BENCHMARKS.md.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cryptoReady } from '@credvault/core';
import {
  hasPostgresServer,
  hasRedisServer,
  type PostgresServer,
  type RedisServer,
  startPostgresServer,
  startRedisServer,
} from '@credvault/test-suite';
import { type BackfillRuns, backfillCase, type OwnTable } from './backfill-cases.js';
import { cryptoCases, FORMAT_WORK } from './crypto-cases.js';
import { drizzleCases } from './drizzle-cases.js';
import { type JoinRuns, joinCase } from './join-cases.js';
import { countsMachineCpu } from './measure.js';
import { postgresOwnTable, sqliteOwnTable } from './own-tables.js';
import { machine, ms, ratio, splice, table } from './report.js';
import { type RotationRuns, rotationCase } from './rotation-cases.js';
import { peakOfRounds, peakOfScan, peakOnce, peakRss } from './rss-cases.js';
import { ratios, showSpread, spread } from './stats.js';
import { backends, storeCases } from './store-cases.js';
import { telemetryCases } from './telemetry-cases.js';
import { type TenantRotationRuns, tenantRotationCase } from './tenant-cases.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    records: { type: 'string' },
    tenants: { type: 'string' },
    runs: { type: 'string' },
    time: { type: 'string' },
    out: { type: 'string' },
    'no-redis': { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const quick = args.quick === true;
const records = Number(args.records ?? (quick ? 2000 : 100_000));
const tenants = Number(args.tenants ?? Math.max(1, Math.floor(records / 100)));
const runs = Number(args.runs ?? (quick ? 2 : 3));
const small = Math.max(100, Math.floor(records / 10));
const timeMs = Number(args.time ?? (quick ? 150 : 2000));
/**
 * Runs of the rotation table: at least 5 in a full run. One run's pool / limit moves by ±0.3x on
 * these 2-core VMs (PostgreSQL 1.25x–1.69x within one run of three), more than its target's margin.
 */
const rotationRuns = quick ? runs : Math.max(runs, 5);
/** Process counts of the joined-rotation table. */
const JOINED = [1, 2, 4] as const;
/** `+1.5 MB` or `−1.5 MB`. */
const signedMb = (mb: number) => `${mb < 0 ? '−' : '+'}${Math.abs(mb).toFixed(1)} MB`;
/** The batch size of the peak-RSS column that shows how the peak moves with it. */
const SMALL_BATCH = 64;
/** How many rotations of `small` records one process runs in the peak-RSS table's rounds column. */
const ROUNDS = 10;
const out = args.out ?? (quick ? undefined : new URL('../../../BENCHMARKS.md', import.meta.url).pathname);

await cryptoReady(); // every case on the path an application gets a few milliseconds after import
const dir = await mkdtemp(join(tmpdir(), 'credvault-bench-'));
let redis: RedisServer | undefined;
if (args['no-redis'] !== true && hasRedisServer()) redis = await startRedisServer();
let postgres: PostgresServer | undefined;
if (args['no-postgres'] !== true && hasPostgresServer()) postgres = await startPostgresServer();
const log = (text: string) => process.stderr.write(`${text}\n`);
const sections: string[] = [
  `${machine()}\n- sizes: ${records} records for rotation (naive loop on a sample), ${tenants} tenants, ${timeMs} ms per case` +
    `\n- each case run ${runs} times in this process; ratios are per run, shown as median (min–max) over the runs`,
];
const targets: [string, string, boolean][] = [];
const x = (values: number[]) => showSpread(spread(values), ratio);
const t = (values: number[]) => showSpread(spread(values), ms);
const med = (values: number[]) => spread(values).median;

try {
  log('seal + open of one record ...');
  for (const { shape, runs: measured } of await cryptoCases(timeMs, runs)) {
    const floor = measured.map((r) => r[0]?.medianMs as number);
    const names = (measured[0] ?? []).map((r) => r.name);
    const column = (i: number) => measured.map((r) => r[i]?.medianMs as number);
    sections.push(
      `### Seal + open of one ${shape}\n\n${table(
        ['case', 'median', 'vs floor'],
        names.map((name, i) => [name, t(column(i)), x(ratios(column(i), floor))]),
      )}`,
    );
    if (shape === 'Connection') {
      const named = (name: string) => column(names.indexOf(name));
      const envelope = ratios(named('credvault envelope (cv1)'), floor);
      const bound = ratios(named('the envelope’s 4 AEAD calls alone (bound)'), floor);
      const format = ratios(named(FORMAT_WORK), floor);
      targets.push([
        'seal + open of a Connection ≤ 1.5x the node:crypto floor',
        `${x(envelope)} (its 4 AEAD calls alone: ${x(bound)}; the format’s work alone: ${x(format)})`,
        med(envelope) <= 1.5,
      ]);
      const cloak = ratios(named('@47ng/cloak, per secret field'), named('credvault envelope (cv1)'));
      targets.push(['… and faster than cloak', `${x(cloak)} faster`, med(cloak) > 1]);
    }
  }

  log('OpenTelemetry: none, no SDK, SDK recording ...');
  const otel = await telemetryCases(timeMs, runs);
  const noSdk = ratios(otel.noSdk, otel.none);
  const recording = ratios(otel.sdk, otel.none);
  // Noise: how far the baseline's own median moved between runs (max / min), at least 5%.
  const noise = Math.max(1.05, spread(otel.none).max / spread(otel.none).min);
  targets.push([
    `openTelemetry() with no SDK registered: vault.set + get within noise (${ratio(noise)}) of no telemetry`,
    x(noSdk),
    med(noSdk) <= noise,
  ]);
  sections.push(
    `### What OpenTelemetry costs: vault.set + get of a Connection on a memory store

` +
      `Three vaults over one memory store (no round trip to hide the vault's own cost), interleaved: no \`telemetry\`; \`openTelemetry()\` with no SDK registered (the API's no-op tracer and meter: what a service that installs the package but no SDK pays); \`openTelemetry()\` over the SDK recording every span (${otel.spansPerOperation} a set + get: the operations, their store calls) into an \`InMemorySpanExporter\` through a \`SimpleSpanProcessor\`, and every metric into a \`MeterProvider\`. An exporter that sends spans over the network batches them on its own time; this row is the cost in the calling thread.\n\n` +
      `${table(
        ['vault', 'set + get', 'vs no telemetry'],
        [
          ['no telemetry', t(otel.none), '1.00x'],
          ['openTelemetry(), no SDK registered', t(otel.noSdk), x(noSdk)],
          ['openTelemetry(), SDK recording (in-memory exporter)', t(otel.sdk), x(recording)],
        ],
      )}`,
  );

  log('vault.set + get and get against raw keyv ...');
  const stores = await storeCases(backends(dir, redis?.url, postgres?.url), timeMs, runs);
  const workNote =
    'keyv with the same vault work done beside it on a memory store (seal before the write, open after the read; the memory store costs about 1 µs a call): what the vault’s own code costs between this store’s round trips, with the cache misses and CPU it has there (a busy-wait as long as its CPU measured in a loop undercounts it: on PostgreSQL a 60 µs seal before a write added 90-150 µs), so the bound under the vault’s time.';
  sections.push(
    `### vault.set + get against keyv.set + get of the same plaintext Connection\n\n` +
      `Each write carries a new access token; the get reads the record just written (from the record cache, which holds what the vault wrote). The last two columns: ${workNote}\n\n` +
      `${table(
        [
          'store',
          'keyv set + get',
          'credvault set + get',
          'ratio',
          'keyv set + get + the vault’s work on a memory store',
          'ratio to that',
        ],
        stores.map((s) => {
          const setGet = ratios(s.vaultSetGet, s.keyvSetGet);
          if (s.backend !== 'memory') {
            targets.push([`set + get on ${s.backend} ≤ 1.25x raw Keyv`, x(setGet), med(setGet) <= 1.25]);
          }
          return [
            s.backend,
            t(s.keyvSetGet),
            t(s.vaultSetGet),
            x(setGet),
            t(s.keyvSetGetPlusWork),
            x(ratios(s.vaultSetGet, s.keyvSetGetPlusWork)),
          ];
        }),
      )}`,
  );
  sections.push(
    `### vault.get against keyv.get of the same Connection: a hot record, and with the caches off\n\n` +
      `Hot: a record read before, so the record cache answers once the store read returns the same text. Caches off (\`recordCache: false, unwrapCache: false\`): every read unwraps, decrypts, reads strictly and validates, as the first read of a record does. The last two columns: ${workNote}\n\n` +
      `${table(
        [
          'store',
          'keyv get',
          'vault.get (hot)',
          'ratio',
          'vault.get, caches off',
          'ratio',
          'keyv get + a cold vault.get on a memory store',
          'caches off / that',
        ],
        stores.map((s) => {
          const get = ratios(s.vaultGet, s.keyvGet);
          if (s.backend !== 'memory') {
            targets.push([`vault.get (hot) on ${s.backend} ≤ 1.15x raw Keyv get`, x(get), med(get) <= 1.15]);
          }
          return [
            s.backend,
            t(s.keyvGet),
            t(s.vaultGet),
            x(get),
            t(s.vaultGetCold),
            x(ratios(s.vaultGetCold, s.keyvGet)),
            t(s.keyvGetPlusWork),
            x(ratios(s.vaultGetCold, s.keyvGetPlusWork)),
          ];
        }),
      )}`,
  );

  log('Drizzle upsert + select of a row: sealed column against plaintext JSON ...');
  const drizzle = await drizzleCases(dir, postgres?.url, timeMs, runs);
  sections.push(
    `### Drizzle: upsert + select of a row with a sealed credential column against a plaintext JSON column\n\n` +
      `The same Drizzle upsert (\`insert().values().onConflictDoUpdate()\`) and select by id of a row of a \`connections\` table, with the Connection as plaintext JSON in a \`text\` column (\`JSON.stringify\` before, \`JSON.parse\` after) or sealed in \`@credvault/drizzle\`'s \`sealed()\` column (\`creds.seal\` before, \`creds.open\` after: the record cache the seal filled answers the open, since the text read back is the one written, as for any read after a write in one process). Each write carries a new access token, over 1,000 rows.\n\n` +
      `${table(
        ['database', 'plaintext column', 'sealed column', 'ratio'],
        drizzle.map((d) => {
          const r = ratios(d.sealed, d.plaintext);
          targets.push([`Drizzle upsert + select on ${d.database} ≤ 1.25x the plaintext column`, x(r), med(r) <= 1.25]);
          return [d.database, t(d.plaintext), t(d.sealed), x(r)];
        }),
      )}`,
  );

  const specs: [string, string][] = [['SQLite', `sqlite:${join(dir, 'rotation.db')}`]];
  if (redis !== undefined) specs.push(['Redis', redis.url]);
  if (postgres !== undefined) specs.push(['PostgreSQL', postgres.url]);
  const rotations: [string, RotationRuns][] = [];
  for (const [name, spec] of specs) {
    log(`rotation of ${records} records on ${name} ...`);
    rotations.push([name, await rotationCase(spec, records, Math.min(records, quick ? 500 : 10_000), rotationRuns)]);
  }
  sections.push(rotationSection(rotations));

  const ownTables: OwnTable[] = [sqliteOwnTable(join(dir, 'own-table.db'))];
  if (postgres !== undefined) ownTables.push(postgresOwnTable(postgres.url));
  const backfills: [string, BackfillRuns][] = [];
  for (const table of ownTables) {
    log(`backfill of ${records} plaintext rows of a table of your own on ${table.name} ...`);
    backfills.push([table.name, await backfillCase(table, records, runs)]);
    await table.close();
  }
  sections.push(backfillSection(backfills));

  const joins: [string, JoinRuns][] = [];
  for (const [name, spec] of specs) {
    log(`rotation joined by 1, 2 and 4 processes on ${name} ...`);
    joins.push([name, await joinCase(spec, Math.min(records, 50_000), JOINED, runs)]);
  }
  sections.push(joinSection(joins));

  const tenantRuns: [string, TenantRotationRuns, RotationRuns][] = [];
  for (const [name, spec] of specs) {
    log(`master rotation over ${tenants} tenants on ${name} ...`);
    const full = rotations.find(([n]) => n === name)?.[1] as RotationRuns;
    tenantRuns.push([name, await tenantRotationCase(spec, records, tenants, runs), full]);
  }
  sections.push(tenantSection(tenantRuns));

  log('peak RSS ...');
  const rss: string[][] = [];
  for (const [name, spec] of specs) {
    const [a, b] = [await peakRss(spec, small), await peakRss(spec, records)];
    const large = await peakOnce(spec, records * 3);
    const [smallBatched, batched] = [
      await peakOnce(spec, small, SMALL_BATCH),
      await peakOnce(spec, records, SMALL_BATCH),
    ];
    const rounds = await peakOfRounds(spec, small, ROUNDS);
    const [scanA, scanB] = [await peakOfScan(spec, a.namespace, small), await peakOfScan(spec, b.namespace, records)];
    const growth = b.rss - a.rss;
    targets.push([
      `peak RSS on ${name}: ${records} records ≤ ${small} + 30 MB`,
      `${signedMb(growth)} (the scan alone, the bound under it: ${signedMb(scanB.rss - scanA.rss)})`,
      growth <= 30,
    ]);
    rss.push([
      name,
      `${a.rss.toFixed(1)} MB`,
      `${b.rss.toFixed(1)} MB`,
      signedMb(growth),
      `${a.live.toFixed(1)} / ${b.live.toFixed(1)} MB`,
      `${a.heapPeak.toFixed(1)} / ${b.heapPeak.toFixed(1)} MB; ${a.fullGcs} / ${b.fullGcs}; ` +
        `${a.afterFullGc.toFixed(1)} / ${b.afterFullGc.toFixed(1)} MB`,
      `${a.oneThread.toFixed(1)} / ${b.oneThread.toFixed(1)} MB (${signedMb(b.oneThread - a.oneThread)})`,
      `${scanA.rss.toFixed(1)} / ${scanB.rss.toFixed(1)} MB (${signedMb(scanB.rss - scanA.rss)}), in ${ms(scanB.ms)}`,
      `${large.rss.toFixed(1)} MB (${signedMb(large.rss - b.rss)})`,
      `${rounds.rss.toFixed(1)} MB (${signedMb(rounds.rss - b.rss)})`,
      `${smallBatched.rss.toFixed(1)} / ${batched.rss.toFixed(1)} MB (${signedMb(batched.rss - smallBatched.rss)}; ` +
        `${signedMb(batched.rss - b.rss)} from the default's), in ${ms(batched.ms)} against ${ms(b.ms)}`,
    ]);
  }
  const rssHead = [
    'store',
    `${small} records`,
    `${records} records`,
    'difference',
    'live heap growth after GC',
    `main thread’s V8 heap at ${small} / ${records}: peak; full GCs; most left by one`,
    'one thread, no pool (1 process each)',
    `the scan alone: ${small} / ${records} records (median of 3 processes each; difference), and its time at ${records}`,
    `${records * 3} records (1 process; vs ${records})`,
    `${ROUNDS} rotations of ${small} records (1 process; vs ${records} in one)`,
    `batchSize ${SMALL_BATCH}: ${small} / ${records} records (1 process each; difference; vs the default at ${records}), and its time against the default's`,
  ];
  sections.push(
    `### Peak RSS of a process rotating ${small} vs ${records} records (worker pool included, default batch size, no forced GC; median of 3 processes)\n\nThe live heap growth comes from one more process that forces a full GC every 10,000 records (which would lower the peak, so it is not one of the three). The main thread's heap, in the three processes (median): its peak during the rotation (sampled every 20 ms), how many full collections V8 ran in it, and the most heap one of them left (about what was live). The scan alone: a process that only reads the same records (\`store.entries\`, no vault, no pool, nothing kept), the store client's read path by itself: the bound under the rotation's peak. The last three columns: one process each, rotating three times as many records (does the peak keep growing, or is it bounded?), rotating ${ROUNDS} namespaces of ${small} records one after the other (the work of ${ROUNDS * small} records with only ${small} in each rotation: does the peak follow the records or the work?) and rotating ${small} and ${records} in batches of ${SMALL_BATCH} (each record then lives a shorter time between its read and its write).\n\n${table(rssHead, rss)}`,
  );
  sections.push(
    `### Targets (met: judged on the median over the runs)\n\n${table(
      ['target', 'measured', 'met'],
      targets.map(([target, measured, ok]) => [target, measured, ok ? 'yes' : '**no**']),
    )}`,
  );
} finally {
  await redis?.stop();
  await postgres?.destroy();
  await rm(dir, { recursive: true, force: true });
}

function rotationSection(list: [string, RotationRuns][]): string {
  const rows = list.map(([name, r]) => {
    const perCore = r.floorMs.map((floor) => floor / r.cores);
    // What the cores must do at the least, whatever the overlap: the CPU of the I/O pass that writes
    // heads (as a rotation does) and the rewrap crypto's (both measured in this run), over every core.
    const cpuBound = r.ioHeadsCpuPerRecordMs.map(
      (io, i) => ((io + (r.rewrapCpuPerRecordMs[i] as number)) * r.records) / r.cores,
    );
    // The issue's limit: the larger of the I/O a rotation must do (the heads pass) and the CPU bound.
    const limit = r.ioHeadsMs.map((io, i) => Math.max(io, cpuBound[i] as number));
    // The limit of the runs before 2026-12-07: the pass writing values back unchanged, or the crypto floor over the cores.
    const unchanged = r.ioMs.map((io, i) => Math.max(io, perCore[i] as number));
    const pool = ratios(r.poolMs, limit);
    targets.push([`rotation on ${name} within 1.25x of its limit`, x(pool), med(pool) <= 1.25]);
    const naive = r.naivePerRecordMs * r.records;
    return [
      name,
      t(r.poolMs),
      t(r.threadMs),
      t(r.ioMs),
      `${t(r.ioChangedMs)} (${x(ratios(r.ioChangedMs, r.ioMs))}; pool ${x(ratios(r.poolMs, r.ioChangedMs))} of it)`,
      `${t(r.ioHeadsMs)} (${x(ratios(r.ioHeadsMs, r.ioMs))}; pool ${x(ratios(r.poolMs, r.ioHeadsMs))} of it)`,
      `${t(perCore)} (${t(r.floorMs)} / ${r.cores})`,
      `${showSpread(spread(r.ioHeadsCpuPerRecordMs), ms)} + ${showSpread(spread(r.rewrapCpuPerRecordMs), ms)}`,
      `${t(cpuBound)} (${x(ratios(cpuBound, r.ioHeadsMs))})`,
      t(limit),
      x(pool),
      x(ratios(r.threadMs, limit)),
      x(ratios(r.poolMs, cpuBound)),
      x(ratios(r.poolMs, unchanged)),
      `${showSpread(spread(r.poolCpuPerRecordMs), ms)} / ${showSpread(
        spread(r.poolCpuPerRecordMs.map((cpu, i) => (cpu * r.records) / (r.poolMs[i] as number))),
        (v) => v.toFixed(2),
      )}`,
      `${ratio(naive / med(r.poolMs))} (${ms(r.naivePerRecordMs)}/record on ${r.naiveSample})`,
    ];
  });
  return `### Rotation of ${list[0]?.[1].records ?? 0} records\n\nEach store's rotation cases run ${list[0]?.[1].poolMs.length ?? 0} times (more than the other cases: one run's ratio moves by ±0.3x on these VMs). The limit of each run is, as issue 33 defines it, the larger of the I/O a rotation must do and the CPU bound. The I/O a rotation must do is the heads pass: every envelope read and only its head written back, changed, with \`replacePrefixMany\`, in the same batches, each write overlapping the next read. The CPU bound is what the cores must do at the least for a rotation that keeps its checks (the record's secrets authenticate before it moves, the new wrap is unwrapped and compared): the heads pass's CPU per record plus the rewrap's CPU per record (\`rewrapBatch\` on a sample, one thread, no store), over all cores; both measured in the same run. Beside them, for comparison: the pure I/O pass (every envelope read and written back unchanged, compare-and-set, same batches), the same pass writing every value with one character changed, and the crypto-only floor (unwrap and wrap of a data key, no store) divided by the cores; the column \`pool / unchanged-values pass\` is the ratio the runs before 2026-12-07 judged (against the larger of the unchanged-values pass and the crypto floor over the cores), kept so that runs stay comparable. ${countsMachineCpu ? "CPU here is the whole machine's (/proc/stat), the store server's included, since it shares the cores; the pool's cores busy likewise." : "CPU here is this process's (no /proc/stat): the store server's is not counted."}\n\n${table(
    [
      'store',
      'rotate, worker pool',
      'rotate, one thread',
      'pure I/O, values unchanged',
      'pure I/O, every value changed (vs unchanged; the pool against it)',
      'heads pass: every head changed, as a rotation writes (vs unchanged; the pool against it)',
      'crypto floor / cores',
      'CPU per record: I/O of heads + rewrap',
      'CPU bound (vs the heads pass)',
      'limit: the larger of the heads pass and the CPU bound',
      'pool / limit',
      'one thread / limit',
      'pool / CPU bound',
      'pool / unchanged-values pass',
      'pool: CPU per record / cores busy',
      'pool vs naive get + set loop',
    ],
    rows,
  )}`;
}

function backfillSection(list: [string, BackfillRuns][]): string {
  const rows = list.map(([name, r]) => {
    const vsIo = ratios(r.migrateMs, r.ioMs);
    const poolVsIo = ratios(r.poolMs, r.ioMs);
    // A user runs whichever is faster on their machine: with spare cores the pool, else one thread.
    const best = Math.min(med(poolVsIo), med(vsIo));
    targets.push([
      `backfill of ${r.records} plaintext rows on ${name} ≤ 1.5x its I/O pass (the faster of migrate --workers and one thread)`,
      `worker pool ${x(poolVsIo)}; one thread ${x(vsIo)}`,
      best <= 1.5,
    ]);
    const perRecord = (values: number[]) => `${((1000 * med(values)) / r.records).toFixed(1)} µs`;
    return [
      name,
      String(r.records),
      t(r.poolMs),
      t(r.migrateMs),
      t(r.ioMs),
      x(poolVsIo),
      x(vsIo),
      `${perRecord(r.poolMs)} / ${perRecord(r.migrateMs)} / ${perRecord(r.ioMs)}`,
    ];
  });
  return `### Backfill of plaintext rows in a table of your own (\`vault.migrate\` over a table store)\n\nA \`connections(id, user_id, auth)\` table whose \`auth\` column holds each Connection as plain JSON; \`vault.migrate()\` reads, validates, seals and writes back every row by compare-and-set, 500 at a time: with \`executor: rewrapPool({ migrate })\` (its default size: one worker per core but one), as \`credvault migrate --workers\` runs it, the worker threads read each legacy value, validate and seal it while the main thread reads and writes the table (and checks the first envelope of every batch against its own); in one thread, everything happens in the thread that drives the store. The I/O pass reads every row and writes it back by compare-and-set with an envelope-sized value in the same batches: what the backfill must do without the crypto.\n\n${table(
    [
      'table',
      'rows',
      'migrate, worker pool',
      'migrate, one thread',
      'I/O pass',
      'pool / I/O',
      'one thread / I/O',
      'per row: pool / one thread / I/O',
    ],
    rows,
  )}`;
}

function joinSection(list: [string, JoinRuns][]): string {
  const rows = list.map(([name, r]) => {
    const one = r.ms.get(1) as number[];
    const store = r.scanPerRecordMs.map(
      (scan, i) => scan + (r.readPerRecordMs[i] as number) + (r.writePerRecordMs[i] as number),
    );
    const perRecord = one.map((t) => t / r.records);
    return [
      name,
      ...JOINED.map((n) => `${t(r.ms.get(n) as number[])} (${x(ratios(r.ms.get(n) as number[], one))})`),
      `${t(perRecord)}`,
      `${showSpread(spread(r.scanPerRecordMs), ms)} + ${showSpread(spread(r.readPerRecordMs), ms)} + ${showSpread(spread(r.writePerRecordMs), ms)}`,
      `${showSpread(spread(store.map((s) => 1000 / s)), (v) => `${(v / 1000).toFixed(0)}k`)} records/s`,
      x(ratios(perRecord, store)),
    ];
  });
  return `### Rotation of ${list[0]?.[1].records ?? 0} records joined by 1, 2 and 4 processes (\`rotate({ join })\`)\n\nEach process rotates in one thread (no pool: it stands for one machine); the time runs from a start signal to all processes (already loaded and connected) returning, over the same store. ${cpusNote()} The store columns: one client's scan (\`entries\`), reads of the ranges (\`getMany\` by 1000) and writes of the heads (\`replacePrefixMany\`, unchanged) per record, over the same records, round trips included: an upper bound of what the store spends on a record of a joined run. The last column is the model's ceiling on the speedup over one process: one process's time per record over the store's, where N machines stop gaining (the scanner, one process reading at the scan's rate, bounds it too).\n\n${table(
    [
      'store',
      ...JOINED.map((n) => `${n} process${n === 1 ? '' : 'es'} (vs 1)`),
      '1 process per record',
      'store per record: scan + read + write',
      'store saturates at',
      'speedup ceiling',
    ],
    rows,
  )}`;
}

function cpusNote(): string {
  const cores = availableParallelism();
  return cores < 4
    ? `This machine has ${cores} cores, shared with the store server: more processes than cores cannot go faster here, so the columns measure the overhead of the split, not a speedup.`
    : `This machine has ${cores} cores, shared with the store server.`;
}

function tenantSection(list: [string, TenantRotationRuns, RotationRuns][]): string {
  const rows = list.map(([name, r, full]) => {
    const rewraps = [...new Set(r.rewrapped)].join(', ');
    targets.push([
      `master rotation over ${r.tenants} tenants on ${name} rewraps ${r.tenants} records, not ${r.records}`,
      `${rewraps} rewrapped`,
      r.rewrapped.every((n) => n === r.tenants),
    ]);
    return [
      name,
      `${r.records} / ${r.tenants}`,
      t(r.ms),
      rewraps,
      t(full.poolMs),
      t(full.threadMs),
      `${ratio(med(full.poolMs) / med(r.ms))} / ${ratio(med(full.threadMs) / med(r.ms))}`,
    ];
  });
  return `### Master-key rotation with tenant keys against today's full rotation\n\nThe tenant rotation scans every record and rewraps one key record per tenant; the full rotation is the row above (same store, same record count, no tenants).\n\n${table(
    [
      'store',
      'records / tenants',
      'tenant master rotation',
      'rewrapped',
      'full rotation, pool',
      'full rotation, one thread',
      'speedup (vs pool / one thread)',
    ],
    rows,
  )}`;
}

const generated = sections.join('\n\n');
process.stdout.write(`${generated}\n`);
if (out !== undefined) {
  const previous = await readFile(out, 'utf8').catch(() => '');
  await writeFile(out, splice(previous, generated));
  log(`wrote ${out}`);
}
