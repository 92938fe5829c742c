import { invalidArgument, isVaultError, storeCall, VaultError, type VaultErrorCode } from '../errors/index.js';
import { envelopeKid, isLegacyValue, openRecord } from '../format/index.js';
import { type AnyCredentialSchema, decodeRecord, encodeRecord } from '../records/index.js';
import { idOfKey, isVaultId, iterate, recordPrefix } from '../store/index.js';
import type { VaultContext } from './context.js';
import { readLegacy } from './legacy.js';
import { checkSealExecutor, type SealExecutor, sealedEnvelopes } from './seal-executor.js';
import type { MigrateOptions, MigrateReport, VerifyFailure } from './types.js';
import { encode, putIfUnchanged, type Sealed, seal } from './write.js';

/** How often a legacy value the application rewrote as legacy again is tried again in one run. */
const MAX_ATTEMPTS = 5;

type Counts = { -readonly [K in keyof MigrateReport]: MigrateReport[K] } & { failed: VerifyFailure[] };

/**
 * A legacy value read, validated and sealed, ready to replace `stored` by compare-and-set:
 * `sealed` holds what this thread made of it, absent when an executor migrated it whole (only
 * for a batch written with `compareAndSetMany`, which needs the envelope alone).
 */
interface Migration<S extends AnyCredentialSchema> {
  readonly id: string;
  readonly stored: string;
  readonly reader: string;
  envelope: string;
  readonly sealed?: Sealed<S>;
}

/**
 * {@link Vault.migrate}: scans the namespace and rewrites each legacy value as an envelope,
 * a batch at a time: read through the legacy readers, validated and sealed (once: `seal`
 * validates), then compare-and-set against the value read (one `compareAndSetMany` per batch
 * where the store has it and no blind index needs upkeep). The next batch is sealed while the
 * last one is written; with an `executor` (no tenant keys) this thread only reads and validates,
 * and the executor seals each batch meanwhile, or, where it has `migrate` and the batch goes in
 * one `compareAndSetMany`, this thread only reads and writes. A value the application changed
 * meanwhile is read again: an envelope is left as it is (`changedMeanwhile`), a legacy value is
 * tried again.
 * @throws VaultError `INVALID_ARGUMENT` (path `executor`) for an executor whose keys are not the
 * vault's, or whose `migrate` made of a batch's first value something else than this vault would
 * (that batch and those after it are not written).
 */
export async function migrate<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  options: MigrateOptions = {},
): Promise<MigrateReport> {
  const { store, namespace } = ctx;
  const { dryRun = false, batchSize = 500, onProgress } = options;
  if (ctx.legacy === undefined) throw invalidArgument('legacy', 'legacy readers: createVault({ legacy })');
  if (store.compareAndSet === undefined) {
    throw new VaultError('UNSUPPORTED', `migrate needs a store with compare-and-set; the ${store.name} store has none`);
  }
  const prefix = recordPrefix(namespace);
  const { count } = store;
  const total = count === undefined ? undefined : await storeCall('count', () => count.call(store, prefix));
  const counts: Counts = { scanned: 0, total, migrated: 0, alreadyCurrent: 0, changedMeanwhile: 0, failed: [], dryRun };
  const report = (): MigrateReport => ({ ...counts, failed: [...counts.failed] });
  // Tenant keys live in the store, not in the executor: their records are sealed here.
  const executor = ctx.tenancy === undefined ? options.executor : undefined;
  if (executor !== undefined) await checkSealExecutor(executor, ctx.keyring, namespace);
  // An executor migrates a batch whole (read, validate, seal) where it is written in one compareAndSetMany.
  const migrateWhole =
    ctx.index === undefined && store.compareAndSetMany !== undefined ? executor?.migrate?.bind(executor) : undefined;
  let batch: [string, string][] = [];
  let writing: Promise<void> = Promise.resolve();
  // Batches past this thread's part and not yet written: one (being written while this thread
  // seals the next), or with an executor one more per batch it seals at once (this thread then
  // reads and validates the next while the executor seals and the store writes).
  const ahead = executor === undefined ? 1 : Math.max(1, executor.concurrency) + 1;
  const pending: Promise<void>[] = [];
  const flush = async (): Promise<void> => {
    const read = batch;
    batch = [];
    const sealing =
      executor === undefined
        ? Promise.resolve(await prepare(ctx, read, counts))
        : migrateWhole !== undefined
          ? migrateElsewhere(ctx, migrateWhole, read, counts)
          : sealElsewhere(ctx, executor, await prepare(ctx, read, counts, false), counts);
    sealing.catch(() => {}); // awaited in the write chain
    // one batch written at a time, in order; a failure stops the run at a later flush or at the end
    writing = writing.then(async () => commit(ctx, await sealing, counts)).then(() => onProgress?.(report()));
    writing.catch(() => {}); // awaited below
    pending.push(writing);
    while (pending.length > ahead) await pending.shift();
  };
  try {
    for await (const [key, stored] of readAhead(iterate(store)(prefix), batchSize * 2)) {
      const id = idOfKey(namespace, key);
      if (isVaultId(id)) continue;
      counts.scanned += 1;
      if (!isLegacyValue(stored)) counts.alreadyCurrent += 1;
      else if (batch.push([id, stored]) >= batchSize) await flush();
    }
    if (batch.length > 0 || counts.scanned === 0) await flush();
  } finally {
    await writing;
  }
  return report();
}

/**
 * Reads and seals (with `sealHere` false: reads and encodes only, for an executor to seal) each
 * legacy value of a batch, recording those that do not read or validate.
 */
async function prepare<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  batch: readonly (readonly [string, string])[],
  counts: Counts,
  sealHere = true,
): Promise<Migration<S>[]> {
  const out: Migration<S>[] = [];
  for (const [id, stored] of batch) {
    try {
      const read = await readLegacy(ctx, id, stored);
      const sealed = sealHere ? await seal(ctx, id, read.input) : { ...encode(ctx, id, read.input), envelope: '' };
      out.push({ id, stored, reader: read.reader, envelope: sealed.envelope, sealed });
    } catch (error) {
      if (!isVaultError(error)) throw error;
      fail(counts, id, error.code, error.path);
    }
  }
  return out;
}

/** Has `executor` seal a batch `prepare` encoded; the records it could not seal are recorded as failed. */
async function sealElsewhere<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  executor: SealExecutor,
  batch: Migration<S>[],
  counts: Counts,
): Promise<Migration<S>[]> {
  if (batch.length === 0) return batch;
  const texts = batch.map(({ sealed }) => (sealed as Sealed<S>).text);
  const records = texts.map((text, i) => [(batch[i] as Migration<S>).id, text.readable, text.secret] as const);
  const envelopes = sealedEnvelopes(await executor.seal(ctx.namespace, records), texts, ctx.keyring.primaryKid);
  return batch.filter((migration, i) => {
    const envelope = envelopes[i] as string | { readonly code: VaultErrorCode };
    if (typeof envelope === 'string') migration.envelope = envelope;
    else fail(counts, migration.id, envelope.code, undefined);
    return typeof envelope === 'string';
  });
}

/**
 * Has an executor's `migrate` (`migrateWhole`) migrate a batch of legacy values whole (read,
 * validate, seal); the values it could not migrate are recorded as failed. Its first envelope,
 * and its first error, are checked against what this vault makes of the same value
 * ({@link checkMigrated}) before any of the batch is written.
 * @throws VaultError `DECRYPT_FAILED` when it answered anything but a result per value, each an
 * envelope under the primary kid and a reader's name, or an error code; `INVALID_ARGUMENT`
 * (path `executor`) when a checked answer differs.
 */
async function migrateElsewhere<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  migrateWhole: NonNullable<SealExecutor['migrate']>,
  batch: readonly (readonly [string, string])[],
  counts: Counts,
): Promise<Migration<S>[]> {
  if (batch.length === 0) return [];
  const results: readonly unknown[] = await migrateWhole(ctx.namespace, batch);
  const bad = () =>
    new VaultError('DECRYPT_FAILED', 'the seal executor answered something that is not a result per legacy value');
  if (!Array.isArray(results) || results.length !== batch.length) throw bad();
  const out: Migration<S>[] = [];
  let failed = 0;
  for (const [i, result] of results.entries()) {
    const [id, stored] = batch[i] as readonly [string, string];
    if (isFailure(result)) {
      if (failed++ === 0) await checkMigrated(ctx, id, stored, undefined);
      fail(counts, id, result.code, result.path);
      continue;
    }
    if (!isMigrated(result) || envelopeKid(result[0]) !== ctx.keyring.primaryKid) throw bad();
    if (out.length === 0) await checkMigrated(ctx, id, stored, result);
    out.push({ id, stored, reader: result[1], envelope: result[0] });
  }
  return out;
}

const isFailure = (result: unknown): result is { readonly code: VaultErrorCode; readonly path?: string } =>
  typeof result === 'object' &&
  result !== null &&
  !Array.isArray(result) &&
  typeof (result as { code?: unknown }).code === 'string' &&
  ['undefined', 'string'].includes(typeof (result as { path?: unknown }).path);

const isMigrated = (result: unknown): result is readonly [string, string] =>
  Array.isArray(result) && result.length === 2 && result.every((part) => typeof part === 'string');

/**
 * Checks what an executor made of a legacy value: its envelope opens under this vault's keys,
 * reads strictly, validates, and holds exactly the text this vault writes for the value (its
 * reader, schema and canonical JSON, at the executor's stored-at time); or, where it answered
 * an error (`migrated` undefined), this vault cannot migrate the value either.
 * @throws VaultError `INVALID_ARGUMENT` (path `executor`) when it does not.
 */
async function checkMigrated<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  stored: string,
  migrated: readonly [envelope: string, reader: string] | undefined,
): Promise<void> {
  const same = await (async () => {
    if (migrated === undefined) {
      const read = await readLegacy(ctx, id, stored);
      encodeRecord(ctx.schema, read.input, id);
      return false; // this vault migrates the value
    }
    const [envelope, reader] = migrated;
    const text = await openRecord(ctx.keyring, ctx.namespace, id, envelope);
    const { storedAt } = decodeRecord(ctx.schema, text, id).meta;
    const read = await readLegacy(ctx, id, stored);
    if (storedAt === undefined || read.reader !== reader) return false;
    const mine = encodeRecord(ctx.schema, read.input, id, { storedAt }).text;
    return mine.readable === text.readable && mine.secret === text.secret;
  })().catch((error: unknown) => {
    if (isVaultError(error)) return migrated === undefined; // an answered error that this vault meets too
    throw error;
  });
  if (!same) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      "the seal executor's migrate answered for a legacy value otherwise than this vault would: give it the vault's keys, schema and legacy readers",
      { path: 'executor', id },
    );
  }
}

/** Records a legacy value that did not migrate: its id and error code (and path), never its value. */
function fail(counts: Counts, id: string, code: VaultErrorCode, path: string | undefined): void {
  counts.failed.push(path === undefined || path === '' ? { id, code } : { id, code, path });
}

/** Writes a prepared batch, counting what happened to each; values changed to legacy again are prepared and tried again. */
async function commit<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  batch: readonly Migration<S>[],
  counts: Counts,
  attempt = 1,
): Promise<void> {
  if (counts.dryRun) {
    counts.migrated += batch.length;
    return;
  }
  const written = await write(ctx, batch);
  const again: [string, string][] = [];
  for (const [i, { id, reader }] of batch.entries()) {
    if (written[i] === true) {
      counts.migrated += 1;
      ctx.emit('migrate', id, undefined, { reader });
      continue;
    }
    const now = await storeCall('get', () => ctx.store.get(ctx.key(id)), id);
    if (now !== undefined && isLegacyValue(now) && attempt < MAX_ATTEMPTS) again.push([id, now]);
    else counts.changedMeanwhile += 1;
  }
  if (again.length > 0) await commit(ctx, await prepare(ctx, again, counts), counts, attempt + 1);
}

/** Compare-and-set of each sealed record against the legacy value read: whether each was written. */
async function write<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  batch: readonly Migration<S>[],
): Promise<boolean[]> {
  const { store } = ctx;
  const many = store.compareAndSetMany;
  if (ctx.index === undefined && many !== undefined && batch.length > 0) {
    const rows = batch.map(({ id, stored, envelope }) => [ctx.key(id), stored, envelope] as const);
    return storeCall('compareAndSetMany', () => many.call(store, rows));
  }
  const results: boolean[] = [];
  for (const { id, stored, envelope, sealed } of batch) {
    // no record: a legacy value has no blind-index entries to remove. `sealed` is set here: an
    // executor migrates whole only batches that go in one compareAndSetMany.
    results.push(await putIfUnchanged(ctx, id, { stored }, { ...(sealed as Sealed<S>), envelope }));
  }
  return results;
}

/**
 * `source`'s items, fetched up to `most` ahead by a pump of its own: the store's next page is
 * already asked for while this thread seals a batch, so the scan's I/O and the sealing overlap.
 * An error of the source is thrown where the consumer reaches it; leaving early stops the pump.
 */
async function* readAhead<T>(source: AsyncIterable<T>, most: number): AsyncGenerator<T, void, undefined> {
  const items: T[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let room: (() => void) | undefined;
  let stopped = false;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const pump = (async () => {
    try {
      for await (const item of source) {
        items.push(item);
        signal();
        if (stopped) return;
        if (items.length >= most) await new Promise<void>((resolve) => (room = resolve));
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      signal();
    }
  })();
  try {
    for (;;) {
      const item = items.shift();
      if (item !== undefined) {
        if (items.length < most) {
          room?.();
          room = undefined;
        }
        yield item;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopped = true;
    room?.();
    await pump;
  }
}
