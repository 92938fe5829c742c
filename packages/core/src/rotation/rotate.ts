import {
  checkBoolean,
  checkFunction,
  checkWholeNumber,
  invalidArgument,
  isRecordLike,
  optionsArgument,
  storeCall,
  VaultError,
} from '../errors/index.js';
import { envelopeKid } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import type { VaultStore } from '../store/index.js';
import { idOfKey, iterate, recordPrefix } from '../store/index.js';
import type { RotateRoute } from '../tenants/index.js';
import { isTenantKid } from '../tenants/index.js';
import { checkJoinOptions, joinRotation } from './join.js';
import { BatchPipeline } from './pipeline.js';
import { checkExecutorKeys, type RewrapExecutor } from './rewrap-executor.js';
import { RotationRun } from './run.js';
import type { RotateHooks, RotateOptions, RotateProgress, RotateReport } from './types.js';

/**
 * The rotation engine behind `vault.rotate()`: scan, skip current, rewrap, verify,
 * compare-and-set. With `reencrypt` and a `schema`, records are re-split by its secret list.
 */
export async function rotateStore(
  store: VaultStore,
  keyring: KeyEncryptionKeys,
  namespace: string,
  options?: RotateOptions,
  schema?: AnyCredentialSchema,
  hooks?: RotateHooks,
  route?: RotateRoute,
): Promise<RotateReport> {
  checkRotateOptions(options);
  try {
    return await rotateRun(store, keyring, namespace, options ?? {}, schema, hooks, route);
  } finally {
    route?.finish?.(); // e.g. wipes a dry run's throwaway tenant keys
  }
}

async function rotateRun(
  store: VaultStore,
  keyring: KeyEncryptionKeys,
  namespace: string,
  options: RotateOptions,
  schema: AnyCredentialSchema | undefined,
  hooks: RotateHooks | undefined,
  route: RotateRoute | undefined,
): Promise<RotateReport> {
  const { batchSize = 256, onProgress, signal, dryRun = false, reencrypt = false } = options;
  const executor = await executorFor(options, keyring, namespace, reencrypt || route !== undefined);
  if (options.join !== undefined) {
    const { join } = options;
    return joinRotation({ store, keyring, namespace, options: { ...options, join }, executor, schema, hooks, route });
  }
  const prefix = recordPrefix(namespace);
  const run = new RotationRun({ store, keyring, namespace, reencrypt, dryRun, executor, schema, hooks, route });
  // The count is for progress only: it runs beside the scan (on Redis a SCAN of its own, 7% of a
  // rotation's time when run first). Progress is held until it answers, then reported with its total
  // (a joined rotation still counts first: its total is part of the run every process shares).
  const counting = countBeside(store, prefix, run);
  const held: RotateProgress[] = []; // reported, with the total, once the count answers
  const report =
    onProgress &&
    ((progress: RotateProgress) => {
      if (!counting.counted) return void held.push(progress);
      for (const early of held.splice(0)) onProgress({ ...early, total: run.total });
      onProgress(progress);
    });
  const pipeline = new BatchPipeline(run, report);
  let aborted = false;
  try {
    for await (const [key, stored] of iterate(store)(prefix)) {
      counting.check();
      run.scanned += 1;
      const kid = kidBucket(envelopeKid(stored));
      run.kids[kid] = (run.kids[kid] ?? 0) + 1;
      const candidate = await run.classify(key, idOfKey(namespace, key), stored);
      if (typeof candidate === 'object') pipeline.add(candidate);
      else if (candidate === 'current') run.alreadyCurrent += 1;
      if (pipeline.pending >= batchSize) await pipeline.flush();
      else if (run.scanned % batchSize === 0) report?.(run.progress());
      if (signal?.aborted === true) {
        aborted = true;
        break;
      }
    }
  } catch (error) {
    await pipeline.abandon(); // the scan, the count or a batch failed
    throw error;
  }
  await pipeline.drain(); // the batch in hand too, also after an abort
  await counting.finished;
  report?.(run.progress());
  return { ...run.progress(), primaryKid: keyring.primaryKid, kids: run.kids, dryRun, aborted };
}

/** A count running beside a rotation's scan. */
interface Counting {
  /** Whether the store has answered with a count (or cannot count): `run.total` is then final. */
  readonly counted: boolean;
  /** Throws the store's error once it has failed to count: the rotation checks before each record. */
  check(): void;
  /** Settles with the count: awaited before the report. */
  readonly finished: Promise<void>;
}

/**
 * Counts the records under `prefix` while the rotation scans them, setting `run.total` when the
 * store answers. A store that fails to count fails the rotation at its next record, as it did
 * when the count came first; a count still running when the scan throws is left to settle, its
 * error ignored (the scan's is thrown).
 */
function countBeside(store: VaultStore, prefix: string, run: RotationRun): Counting {
  const { count } = store;
  if (count === undefined) return { counted: true, check() {}, finished: Promise.resolve() };
  let failure: { error: unknown } | undefined;
  const counting = {
    counted: false,
    check() {
      if (failure !== undefined) throw failure.error;
    },
    finished: storeCall('count', () => count.call(store, prefix)).then(
      (total) => {
        run.total = total;
        counting.counted = true;
      },
      (error: unknown) => {
        failure = { error };
        throw error;
      },
    ),
  };
  counting.finished.catch(() => {}); // awaited by the rotation, unless the scan failed first
  return counting;
}

/**
 * Checks the {@link RotateOptions} of a rotation: an object (or left out) whose `batchSize` is
 * a positive whole number, `onProgress` a function, `signal` an `AbortSignal`, `dryRun` and
 * `reencrypt` booleans, `executor` an object and `join` as `checkJoinOptions` wants, each member optional.
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault (`options` for the whole).
 */
export function checkRotateOptions(options: unknown): asserts options is RotateOptions | undefined {
  const { batchSize, onProgress, signal, dryRun, reencrypt, executor, join } = optionsArgument(
    options as RotateOptions,
  );
  checkWholeNumber(batchSize, 'batchSize', 1);
  checkFunction(onProgress, 'onProgress', true);
  if (signal !== undefined && !(isRecordLike(signal) && typeof signal.aborted === 'boolean')) {
    throw invalidArgument('signal', 'an AbortSignal (or left out)');
  }
  checkBoolean(dryRun, 'dryRun');
  checkBoolean(reencrypt, 'reencrypt');
  if (executor !== undefined && !isRecordLike(executor))
    throw invalidArgument('executor', 'a RewrapExecutor (or left out)');
  checkJoinOptions(join, dryRun);
}

/**
 * The executor a rotation hands its rewraps to: none where the rewrap must happen here
 * (`reencrypt`, tenant keys), else the option's, checked against the vault's keys.
 * @throws VaultError `INVALID_ARGUMENT` for an executor under another primary kid or other keys.
 */
async function executorFor(
  options: RotateOptions,
  keyring: KeyEncryptionKeys,
  namespace: string,
  here: boolean,
): Promise<RewrapExecutor | undefined> {
  const executor = here ? undefined : options.executor;
  if (executor === undefined) return undefined;
  if (executor.primaryKid !== keyring.primaryKid) {
    throw new VaultError('INVALID_ARGUMENT', 'the executor wraps under another primary kid than the vault', {
      path: 'executor',
    });
  }
  await checkExecutorKeys(executor, keyring, namespace);
  return executor;
}

/** Records under tenant keys are counted together as `~tenant`; a value that is not `cv1` as `?`. */
export function kidBucket(kid: string | undefined): string {
  if (kid === undefined) return '?';
  return isTenantKid(kid) ? '~tenant' : kid;
}
