import { availableParallelism } from 'node:os';
import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  type KeyEntry,
  rewrapBatch,
  type VaultStore,
} from '@credvault/core';
import type { PostgresStore } from '@credvault/postgres';
import type { RedisStore } from '@credvault/redis';
import type { SqliteStore } from '@credvault/sqlite';
import { rewrapPool } from '@credvault/worker-pool';
import { wrapContext } from '../../../packages/core/src/format/envelope.js';
import { cpuOf, timeOnce } from './measure.js';
import { typicalConnection } from './records.js';
import { openSpec } from './spec.js';

/** One store's rotation numbers, each list one value per run, all measured in this process. */
export interface RotationRuns {
  readonly records: number;
  /** `vault.rotate` with a worker pool of its default size (one worker per core but one). */
  readonly poolMs: number[];
  /** CPU time per record during the pool rotation (the machine's, see `cpuOf`), in ms. */
  readonly poolCpuPerRecordMs: number[];
  /** `vault.rotate` in one thread. */
  readonly threadMs: number[];
  /** Every envelope read and written back unchanged in the same batches (the I/O limit). */
  readonly ioMs: number[];
  /**
   * The same pass writing every value with one character changed, there and back (two passes,
   * their mean): what the store's writes cost when the bytes change, as a rotation's do. SQLite
   * writes unchanged bytes far more cheaply than changed ones.
   */
  readonly ioChangedMs: number[];
  /**
   * Every envelope read and its head written back changed (one character toggled, there and back:
   * two passes, their mean) with `replacePrefixMany` in the same batches: the I/O of a rotation
   * as it now writes (the new head only).
   */
  readonly ioHeadsMs: number[];
  /** CPU time per record of the first of those two passes (the machine's: the store server's too, see `cpuOf`), in ms. */
  readonly ioHeadsCpuPerRecordMs: number[];
  /** CPU time per record of the rotation's own crypto (`rewrapBatch`: open, wrap, check) in one thread, no store, in ms. */
  readonly rewrapCpuPerRecordMs: number[];
  /** Unwrap + rewrap of as many data keys in memory on one core (the crypto floor). */
  readonly floorMs: number[];
  /** Per-record time of the naive get + set loop (first run only), on `naiveSample` records. */
  readonly naivePerRecordMs: number;
  readonly naiveSample: number;
  readonly cores: number;
}

/** Stores `count` Connections under `keys` in `namespace`; `tenantOf` spreads them over tenants. */
export async function seed(
  spec: string,
  namespace: string,
  count: number,
  keys: readonly KeyEntry[],
  tenants?: number,
): Promise<void> {
  const vault = createVault({
    store: openSpec(spec),
    keyring: createKeyring(keys),
    schema: connectionSchema,
    namespace,
    ...(tenants === undefined ? {} : { tenant: 'idProject' as const }),
  });
  for (let start = 0; start < count; start += 5000) {
    const chunk = Array.from({ length: Math.min(5000, count - start) }, (_, j) => {
      const record = typicalConnection(start + j);
      if (tenants !== undefined) record.idProject = `tenant-${(start + j) % tenants}`;
      return [`c${start + j}`, record] as const;
    });
    await vault.setMany(chunk);
  }
  await vault.close();
}

/** Unwrap + rewrap of `count` DEKs in memory, one thread: the crypto a rotation cannot avoid. */
export async function cryptoFloor(count: number): Promise<number> {
  const [old, next] = [
    { kid: 'old', key: generateKey() },
    { kid: 'new', key: generateKey() },
  ];
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

/** `value` with its ninth character's code point toggled in the lowest bit: applied twice, the value again. */
const toggled = (value: string) => value.slice(0, 8) + String.fromCharCode(value.charCodeAt(8) ^ 1) + value.slice(9);

/** An envelope's head with the dot after it: `cv1.<kid>.<wrapped DEK>.`. */
const headOf = (value: string) => value.slice(0, value.indexOf('.', value.indexOf('.', 4) + 1) + 1);

/**
 * Reads every envelope under `prefix` and writes it back in batches, each write overlapping the
 * next read (as rotate does): with compare-and-set, unchanged (`same`) or with each value
 * {@link toggled} (`changed`), or only each head, toggled, with `replacePrefixMany` (`heads`).
 * A toggled pass run twice leaves the store as it was.
 */
export async function pureIo(
  store: VaultStore,
  prefix: string,
  batchSize: number,
  mode: 'same' | 'changed' | 'heads' = 'same',
): Promise<number> {
  const { entries, compareAndSetMany, replacePrefixMany } = store;
  if (entries === undefined || compareAndSetMany === undefined || replacePrefixMany === undefined)
    throw new Error(`${store.name}: no batch I/O`);
  const write = (batch: [string, string, string][]) =>
    mode === 'heads' ? replacePrefixMany.call(store, batch) : compareAndSetMany.call(store, batch);
  const entry = (key: string, value: string): [string, string, string] => {
    if (mode === 'same') return [key, value, value];
    if (mode === 'changed') return [key, value, toggled(value)];
    const head = headOf(value);
    return [key, head, toggled(head)];
  };
  let writing: Promise<unknown> = Promise.resolve();
  let batch: [string, string, string][] = [];
  let count = 0;
  for await (const [key, value] of entries.call(store, prefix)) {
    batch.push(entry(key, value));
    count += 1;
    if (batch.length >= batchSize) {
      const full = batch;
      batch = [];
      await writing;
      writing = write(full);
    }
  }
  await writing;
  if (batch.length > 0) await write(batch);
  return count;
}

/**
 * Rotation of `count` records on `spec`, `runs` times: each run rotates with the worker pool,
 * then in one thread (to a new key each time), reads and writes everything back (I/O limit) and
 * times the crypto floor. The naive loop is timed once, on a sample.
 */
export async function rotationCase(
  spec: string,
  count: number,
  naiveSample: number,
  runs: number,
): Promise<RotationRuns> {
  const namespace = `rot${count}`;
  const keys: KeyEntry[] = [{ kid: 'k0', key: generateKey() }];
  await seed(spec, namespace, count, keys);
  const store = openSpec(spec);
  // A sample of the envelopes as seeded (under k0, which stays in every later keyring), to time
  // the rewrap crypto alone.
  const envelopes: [string, string][] = [];
  for await (const [key, value] of store.entries?.(`${namespace}:`) ?? []) {
    envelopes.push([key.slice(namespace.length + 1), value]);
    if (envelopes.length >= Math.min(count, 5000)) break;
  }
  const result: RotationRuns = {
    records: count,
    poolMs: [],
    poolCpuPerRecordMs: [],
    threadMs: [],
    ioMs: [],
    ioChangedMs: [],
    ioHeadsMs: [],
    ioHeadsCpuPerRecordMs: [],
    rewrapCpuPerRecordMs: [],
    floorMs: [],
    naivePerRecordMs: 0,
    naiveSample,
    cores: availableParallelism(),
  };
  const rotateTo = async (withPool: boolean) => {
    keys.unshift({ kid: `k${keys.length}`, key: generateKey() });
    const vault = createVault({ store, keyring: createKeyring(keys), schema: connectionSchema, namespace });
    const pool = withPool ? rewrapPool({ keys }) : undefined;
    // Started and warm before the clock starts, as a service or CLI keeps it for the whole run
    // (starting two workers costs ~50 ms built, ~400 ms from source under tsx).
    if (pool !== undefined) await Promise.all(Array.from({ length: pool.concurrency }, () => pool.rewrap('warm', [])));
    try {
      let rewrapped = 0;
      let ms = 0;
      const cpu = await cpuOf(async () => {
        ms = await timeOnce(async () => {
          rewrapped = (await vault.rotate({ batchSize: 500, ...(pool === undefined ? {} : { executor: pool }) }))
            .rewrapped;
        });
      });
      if (rewrapped !== count) throw new Error(`rotated ${rewrapped} of ${count}`);
      if (withPool) result.poolCpuPerRecordMs.push(cpu / count);
      return ms;
    } finally {
      await pool?.close();
    }
  };
  for (let run = 0; run < runs; run++) {
    result.poolMs.push(await rotateTo(true));
    result.threadMs.push(await rotateTo(false));
    result.ioMs.push(await timeOnce(() => pureIo(store, `${namespace}:`, 500)));
    const there = await timeOnce(() => pureIo(store, `${namespace}:`, 500, 'changed'));
    const back = await timeOnce(() => pureIo(store, `${namespace}:`, 500, 'changed'));
    result.ioChangedMs.push((there + back) / 2);
    let headsThere = 0;
    const headsCpu = await cpuOf(async () => {
      headsThere = await timeOnce(() => pureIo(store, `${namespace}:`, 500, 'heads'));
    });
    const headsBack = await timeOnce(() => pureIo(store, `${namespace}:`, 500, 'heads'));
    result.ioHeadsMs.push((headsThere + headsBack) / 2);
    result.ioHeadsCpuPerRecordMs.push(headsCpu / count);
    const keyring = createKeyring(keys);
    const rewrapStart = process.cpuUsage(); // this thread's work alone
    await rewrapBatch(keyring, namespace, envelopes);
    const rewrapUsed = process.cpuUsage(rewrapStart);
    const rewrapCpu = (rewrapUsed.user + rewrapUsed.system) / 1000;
    result.rewrapCpuPerRecordMs.push(rewrapCpu / envelopes.length);
    result.floorMs.push(await cryptoFloor(count));
  }
  // The naive loop a hand-rolled rotation does: one keyv get and one keyv set per record.
  const adapter = (store as SqliteStore | RedisStore | PostgresStore).adapter;
  const sample = Array.from({ length: naiveSample }, (_, i) => `${namespace}:c${i}`);
  const naiveMs = await timeOnce(async () => {
    for (const key of sample) await adapter.set(key, (await adapter.get(key)) as string);
  });
  await store.close?.();
  return { ...result, naivePerRecordMs: naiveMs / naiveSample };
}
