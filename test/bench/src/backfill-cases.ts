import {
  type CompleteStore,
  connectionSchema,
  createKeyring,
  createSealer,
  createVault,
  generateKey,
  plaintextJson,
} from '@credvault/core';
import { rewrapPool } from '@credvault/worker-pool';
import { timeOnce } from './measure.js';
import { typicalConnection } from './records.js';

/** A table of the application's own, `connections(id text primary key, user_id text, auth text)`, and a table store over it. */
export interface OwnTable {
  readonly name: string;
  /** A fresh table store over the table (its column `auth`). */
  store(): CompleteStore;
  /** Creates (or empties) the table. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The backfill numbers of one table, each list one value per run. */
export interface BackfillRuns {
  readonly records: number;
  /** `vault.migrate()` of every plaintext row to an envelope, in one thread. */
  readonly migrateMs: number[];
  /**
   * The same with `executor: rewrapPool({ migrate })` (its default size): read, validated and
   * sealed on worker threads, as `credvault migrate --workers` does.
   */
  readonly poolMs: number[];
  /** The pure I/O of it: every row read and written back by compare-and-set with an envelope-sized value, in the same batches. */
  readonly ioMs: number[];
}

const BATCH = 500;

/** Fills the table with `count` rows holding their Connection as plain JSON (what a table held before credvault). */
async function seedPlaintext(table: OwnTable, count: number): Promise<void> {
  await table.reset();
  const store = table.store();
  for (let start = 0; start < count; start += 5000) {
    const rows = Array.from({ length: Math.min(5000, count - start) }, (_, j) => {
      const i = start + j;
      return [`default:c${i}`, JSON.stringify(typicalConnection(i))] as const;
    });
    await store.setMany(rows);
  }
  await store.close();
}

/** Reads every row and writes each back by compare-and-set with `value`, `BATCH` at a time. */
async function ioPass(store: CompleteStore, value: string): Promise<void> {
  let batch: [string, string, string][] = [];
  for await (const [key, stored] of store.entries('default:')) {
    if (batch.push([key, stored, value]) >= BATCH) {
      await store.compareAndSetMany(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.compareAndSetMany(batch);
}

/**
 * The backfill of `count` plaintext rows (issue 32's bench row): `vault.migrate()` over a table
 * store, in one thread and with the worker pool sealing, against the pure I/O pass over the same
 * table (each row read and written back by compare-and-set with an envelope-sized value), each
 * run on a freshly seeded table.
 */
export async function backfillCase(table: OwnTable, count: number, runs: number): Promise<BackfillRuns> {
  const key = generateKey();
  const keyring = createKeyring([{ kid: 'k1', key: key.slice() }]);
  const envelope = await createSealer({ keyring, schema: connectionSchema }).seal('c0', typicalConnection(0));
  const migrateMs: number[] = [];
  const poolMs: number[] = [];
  const ioMs: number[] = [];
  /** Seeds the table and times one `migrate`, with the worker pool or without. */
  const migrateOnce = async (pooled: boolean) => {
    await seedPlaintext(table, count);
    const vault = createVault({ store: table.store(), keyring, schema: connectionSchema, legacy: plaintextJson() });
    const migrate = { module: new URL('./backfill-setup.mjs', import.meta.url) };
    const pool = pooled ? rewrapPool({ keys: [{ kid: 'k1', key: key.slice() }], migrate }) : undefined;
    let migrated = 0;
    try {
      const ms = await timeOnce(async () => {
        migrated = (await vault.migrate({ batchSize: BATCH, ...(pool === undefined ? {} : { executor: pool }) }))
          .migrated;
      });
      if (migrated !== count) throw new Error(`the backfill migrated ${migrated} of ${count} rows`);
      return ms;
    } finally {
      await pool?.close();
      await vault.close();
    }
  };
  for (let run = 0; run < runs; run++) {
    await seedPlaintext(table, count);
    const io = table.store();
    ioMs.push(await timeOnce(() => ioPass(io, envelope)));
    await io.close();
    migrateMs.push(await migrateOnce(false));
    poolMs.push(await migrateOnce(true));
  }
  return { records: count, migrateMs, poolMs, ioMs };
}
