import { invalidArgument, isVaultError, storeCall, VaultError } from '../errors/index.js';
import { isLegacyValue } from '../format/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import { idOfKey, isVaultId, iterate, recordPrefix } from '../store/index.js';
import type { StoredRecord, VaultContext } from './context.js';
import { openLegacy } from './legacy.js';
import type { MigrateOptions, MigrateReport, VerifyFailure } from './types.js';
import { putIfUnchanged, type Sealed, seal } from './write.js';

/** How often a legacy value the application rewrote as legacy again is tried again in one run. */
const MAX_ATTEMPTS = 5;

type Counts = { -readonly [K in keyof MigrateReport]: MigrateReport[K] } & { failed: VerifyFailure[] };

/**
 * {@link Vault.migrate}: scans the namespace and rewrites each legacy value as an envelope,
 * a batch at a time: read through the legacy readers, validated, sealed, then compare-and-set
 * against the value read (one `compareAndSetMany` per batch where the store has it and no
 * blind index needs upkeep). A value the application changed meanwhile is read again: an
 * envelope is left as it is (`changedMeanwhile`), a legacy value is tried again.
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
  let batch: [string, string][] = [];
  const flush = async (): Promise<void> => {
    await migrateBatch(ctx, batch, counts);
    batch = [];
    onProgress?.({ ...counts, failed: [...counts.failed] });
  };
  for await (const [key, stored] of iterate(store)(prefix)) {
    const id = idOfKey(namespace, key);
    if (isVaultId(id)) continue;
    counts.scanned += 1;
    if (!isLegacyValue(stored)) counts.alreadyCurrent += 1;
    else if (batch.push([id, stored]) >= batchSize) await flush();
  }
  if (batch.length > 0 || counts.scanned === 0) await flush();
  return { ...counts, failed: [...counts.failed] };
}

/** Reads, seals and writes one batch of legacy values, counting what happened to each. */
async function migrateBatch<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  batch: readonly (readonly [string, string])[],
  counts: Counts,
  attempt = 1,
): Promise<void> {
  const sealed: [StoredRecord<S> & { reader: string }, Sealed<S>, string][] = [];
  for (const [id, stored] of batch) {
    try {
      const before = await openLegacy(ctx, id, stored, false);
      sealed.push([before, await seal(ctx, id, before.record), id]);
    } catch (error) {
      if (!isVaultError(error)) throw error;
      const path = error.path === undefined || error.path === '' ? {} : { path: error.path };
      counts.failed.push({ id, code: error.code, ...path });
    }
  }
  if (counts.dryRun) {
    counts.migrated += sealed.length;
    return;
  }
  const written = await write(ctx, sealed);
  const lost: [string, string][] = [];
  for (const [i, [before, , id]] of sealed.entries()) {
    if (written[i] === true) {
      counts.migrated += 1;
      ctx.emit('migrate', id, undefined, { reader: before.reader });
      continue;
    }
    const now = await storeCall('get', () => ctx.store.get(ctx.key(id)), id);
    if (now !== undefined && isLegacyValue(now) && attempt < MAX_ATTEMPTS) lost.push([id, now]);
    else counts.changedMeanwhile += 1;
  }
  if (lost.length > 0) await migrateBatch(ctx, lost, counts, attempt + 1);
}

/** Compare-and-set of each sealed record against the legacy value read: whether each was written. */
async function write<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  sealed: readonly (readonly [StoredRecord<S> & { reader: string }, Sealed<S>, string])[],
): Promise<boolean[]> {
  const { store } = ctx;
  const many = store.compareAndSetMany;
  if (ctx.index === undefined && many !== undefined && sealed.length > 0) {
    const rows = sealed.map(([before, next, id]) => [ctx.key(id), before.stored, next.envelope] as const);
    return storeCall('compareAndSetMany', () => many.call(store, rows));
  }
  const results: boolean[] = [];
  for (const [before, next, id] of sealed) results.push(await putIfUnchanged(ctx, id, before, next));
  return results;
}
