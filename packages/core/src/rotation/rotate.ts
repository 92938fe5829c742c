import { isVaultError, storeCall, VaultError, type VaultErrorCode } from '../errors/index.js';
import { envelopeHead, envelopeKid, type Reshape, resplitRecordText, rewrapRecord, withHead } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import type { VaultStore } from '../store/index.js';
import { idOfKey, isVaultId, iterate, recordPrefix } from '../store/index.js';
import type { RotateRoute } from '../tenants/index.js';
import { isTenantKid } from '../tenants/index.js';
import { checkExecutorKeys, checkResults, type RewrapResult } from './rewrap-executor.js';
import type { RotateFailure, RotateHooks, RotateOptions, RotateProgress, RotateReport } from './types.js';

type Candidate = { key: string; id: string; stored: string; keys: KeyEncryptionKeys };
/** A candidate's new envelope, and its new head when that is all that changed (the rest is as stored). */
type Write = readonly [candidate: Candidate, next: string, head: string | undefined];
/** A batch at the rewrapper: its writes to come, and the length of its stored envelopes. */
type InFlight = { job: Promise<Write[]>; chars: number };

const MAX_RETRIES = 5;
/**
 * Envelope text (in UTF-16 units) above which the batches at an executor are landed down to
 * fewer than one per worker. Each record's text lives from its read until its write lands; in a
 * longer pipeline it outlives V8's young generation and piles up in the old one between full
 * collections (rotating 100,000 SQLite records in batches of 500, the main thread's peak heap went
 * from 105 to 55-60 MB with this bound).
 */
const IN_FLIGHT_CHARS = 1 << 20;

/**
 * The rotation engine behind `vault.rotate()`: scan, skip current, rewrap, verify,
 * compare-and-set. With `reencrypt` and a `schema`, records are re-split by its secret list.
 */
export async function rotateStore(
  store: VaultStore,
  keyring: KeyEncryptionKeys,
  namespace: string,
  options: RotateOptions = {},
  schema?: AnyCredentialSchema,
  hooks?: RotateHooks,
  route?: RotateRoute,
): Promise<RotateReport> {
  const { batchSize = 256, onProgress, signal, dryRun = false, reencrypt = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new VaultError('INVALID_ARGUMENT', 'batchSize must be a positive integer', { path: 'batchSize' });
  }
  const executor = reencrypt || route !== undefined ? undefined : options.executor;
  if (executor !== undefined && executor.primaryKid !== keyring.primaryKid) {
    throw new VaultError('INVALID_ARGUMENT', 'the executor wraps under another primary kid than the vault', {
      path: 'executor',
    });
  }
  if (executor !== undefined) await checkExecutorKeys(executor, keyring, namespace);
  const entries = iterate(store);
  const prefix = recordPrefix(namespace);
  const primary = keyring.primaryKid;
  const total =
    store.count === undefined
      ? undefined
      : await storeCall('count', () => (store.count as (p: string) => Promise<number>)(prefix));
  const kids: Record<string, number> = {};
  const failed: RotateFailure[] = [];
  let scanned = 0;
  let rewrapped = 0;
  let alreadyCurrent = 0;
  let changedMeanwhile = 0;
  let aborted = false;
  const progress = (): RotateProgress => ({
    total,
    scanned,
    rewrapped,
    alreadyCurrent,
    changedMeanwhile,
    failed: [...failed],
  });

  /** How a record's text changes when it is sealed anew: re-split by the schema (the vault's own records never). */
  const reshape = (id: string): Reshape | undefined =>
    schema === undefined || isVaultId(id)
      ? undefined
      : (text) => resplitRecordText(text, schema.secret, schema.fields, id);

  const fail = (candidate: Candidate, code: VaultErrorCode) => {
    failed.push({ id: candidate.id, code });
    hooks?.failed(candidate.id, code, envelopeKid(candidate.stored));
  };

  /** Rewraps a batch; returns the writes, recording failures (never written). */
  async function prepare(batch: readonly Candidate[]): Promise<Write[]> {
    const writes: Write[] = [];
    if (executor !== undefined && batch.length > 0) {
      const results = checkResults(
        await executor.rewrap(
          namespace,
          batch.map((c) => [c.id, c.stored] as const),
        ),
        batch.length,
      );
      batch.forEach((candidate, i) => {
        const result = results[i] as RewrapResult;
        // The executor answers the new head only (its wrap was checked there): the sealed part and
        // readable text are the stored ones by construction, and no envelope text crosses back.
        const next = typeof result === 'string' ? withHead(candidate.stored, result, primary) : undefined;
        if (typeof result !== 'string') fail(candidate, result.code);
        else if (next === undefined) fail(candidate, 'DECRYPT_FAILED');
        else writes.push([candidate, next, result]);
      });
      return writes;
    }
    for (const candidate of batch) {
      try {
        const { id, stored, keys } = candidate;
        const next = await rewrapRecord(keys, namespace, id, stored, reencrypt, reshape(id));
        writes.push([candidate, next, reencrypt ? undefined : envelopeHead(next)]); // a rewrap keeps the rest
      } catch (error) {
        if (!isVaultError(error)) throw error;
        fail(candidate, error.code);
      }
    }
    return writes;
  }

  /** Writes with compare-and-set; a record changed meanwhile is re-read and retried unless already current. */
  async function write(writes: readonly Write[], attempt = 0): Promise<void> {
    if (writes.length === 0) return;
    if (dryRun) {
      rewrapped += writes.length;
      return;
    }
    const ok = await casMany(store, writes);
    const retry: Candidate[] = [];
    for (const [i, [candidate]] of writes.entries()) {
      if (ok[i]) {
        rewrapped += 1;
        hooks?.rewrapped(candidate.id, envelopeKid(candidate.stored) ?? '?', candidate.keys.primaryKid);
        continue;
      }
      changedMeanwhile += 1;
      const now = await storeCall('get', () => store.get(candidate.key), candidate.id);
      const next = now === undefined ? 'current' : await classify(candidate.key, candidate.id, now);
      if (typeof next !== 'object') continue;
      if (attempt < MAX_RETRIES) retry.push(next);
      else fail(next, 'CONFLICT'); // still changing after every retry: left as the application wrote it
    }
    if (retry.length > 0) await write(await prepare(retry), attempt + 1);
  }

  /** The candidate to rewrap, or why there is none: current, outside this rotation, or failed (recorded). */
  async function classify(
    key: string,
    id: string,
    stored: string,
  ): Promise<Candidate | 'current' | 'outside' | 'failed'> {
    let keys: KeyEncryptionKeys | null = keyring;
    try {
      if (route !== undefined) keys = await route(id, stored);
    } catch (error) {
      if (!isVaultError(error)) throw error;
      failed.push({ id, code: error.code });
      hooks?.failed(id, error.code, envelopeKid(stored));
      return 'failed';
    }
    if (keys === null) return 'outside';
    if (envelopeKid(stored) === keys.primaryKid && !reencrypt) return 'current';
    return { key, id, stored, keys };
  }

  // Batches are written while the next ones are read and rewrapped: I/O and crypto overlap. In
  // this thread one batch is rewrapped at a time. An executor is handed each batch as it fills;
  // then the oldest are landed until fewer than two per worker remain, and until their envelope
  // text is within IN_FLIGHT_CHARS or fewer than one per worker remain (retries are not counted).
  let batch: Candidate[] = [];
  let writing: Promise<void> = Promise.resolve();
  const rewrapping: InFlight[] = [];
  let inFlightChars = 0;
  const concurrency = executor?.concurrency;
  const workers =
    typeof concurrency === 'number' && Number.isSafeInteger(concurrency) && concurrency > 0 ? concurrency : 1;
  const most = executor === undefined ? 1 : workers * 2;
  const full = () => rewrapping.length >= most || (rewrapping.length >= workers && inFlightChars > IN_FLIGHT_CHARS);
  const landOldest = async () => {
    const oldest = rewrapping.shift() as InFlight;
    inFlightChars -= oldest.chars;
    let writes: Write[];
    try {
      writes = await oldest.job;
    } catch (error) {
      await writing.catch(() => {}); // nothing goes on writing after rotate has thrown
      throw error;
    }
    await writing;
    onProgress?.(progress()); // counts the writes landed so far; this batch's lands next
    writing = write(writes);
  };
  const flush = async () => {
    const job = prepare(batch);
    job.catch(() => {}); // awaited in order by landOldest; this only keeps a later failure from going unhandled
    const chars = batch.reduce((sum, candidate) => sum + candidate.stored.length, 0);
    rewrapping.push({ job, chars });
    inFlightChars += chars;
    batch = [];
    while (full()) await landOldest();
  };
  for await (const [key, stored] of entries(prefix)) {
    scanned += 1;
    const kid = kidBucket(envelopeKid(stored));
    kids[kid] = (kids[kid] ?? 0) + 1;
    const candidate = await classify(key, idOfKey(namespace, key), stored);
    if (typeof candidate === 'object') batch.push(candidate);
    else if (candidate === 'current') alreadyCurrent += 1;
    if (batch.length >= batchSize) await flush();
    else if (scanned % batchSize === 0) onProgress?.(progress());
    if (signal?.aborted === true) {
      aborted = true;
      break;
    }
  }
  if (batch.length > 0) await flush(); // the batch in hand, also after an abort
  while (rewrapping.length > 0) await landOldest();
  await writing;
  onProgress?.(progress());
  return { ...progress(), primaryKid: primary, kids, dryRun, aborted };
}

/** Records under tenant keys are counted together as `~tenant`; a value that is not `cv1` as `?`. */
export function kidBucket(kid: string | undefined): string {
  if (kid === undefined) return '?';
  return isTenantKid(kid) ? '~tenant' : kid;
}

/**
 * Writes a batch where nothing changed meanwhile, each record on its own: where every write is a
 * new head and the store can replace a value's start, only the heads travel (the head as read
 * must still start the record: every write through a vault makes a new data key, so a record
 * written since then has another head, and its sealed part and readable text are never
 * touched); else batch compare-and-set of whole values; one by one; plain set as a last resort.
 */
async function casMany(store: VaultStore, writes: readonly Write[]): Promise<boolean[]> {
  const { replacePrefixMany, compareAndSetMany, compareAndSet } = store;
  if (replacePrefixMany !== undefined && writes.every(([, , head]) => head !== undefined)) {
    // Each head with the dot after it: it then cannot be the start of a longer head.
    const heads = writes.map(([c, , head]) => [c.key, `${envelopeHead(c.stored)}.`, `${head}.`] as const);
    return storeCall('replacePrefixMany', () => replacePrefixMany.call(store, heads));
  }
  const entries = writes.map(([c, next]) => [c.key, c.stored, next] as const);
  if (compareAndSetMany !== undefined)
    return storeCall('compareAndSetMany', () => compareAndSetMany.call(store, entries));
  if (compareAndSet !== undefined) {
    return Promise.all(
      entries.map(([k, e, n]) => storeCall('compareAndSet', () => compareAndSet.call(store, k, e, n))),
    );
  }
  // The generic Keyv path: no compare-and-set, so a write made since the scan can be overwritten.
  await Promise.all(entries.map(([k, , n]) => storeCall('set', () => store.set(k, n))));
  return entries.map(() => true);
}
