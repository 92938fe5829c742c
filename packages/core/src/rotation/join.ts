import { randomBytes, toBase64url } from '../crypto/index.js';
import { invalidArgument, storeCall, VaultError } from '../errors/index.js';
import { envelopeKid } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import type { Lease, VaultStore } from '../store/index.js';
import { idOfKey, iterate, leaseFor, recordKey, recordPrefix } from '../store/index.js';
import type { RotateRoute } from '../tenants/index.js';
import { BatchPipeline } from './pipeline.js';
import { RangeBoard, type RangeCounts, type RunState, type TakenRange } from './ranges.js';
import type { RewrapExecutor } from './rewrap-executor.js';
import { RotationRun } from './run.js';
import type { JoinOptions, RotateHooks, RotateOptions, RotateProgress, RotateReport } from './types.js';

const RUN_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/**
 * Ranges published ahead of the lowest unfinished one before the scanner works on ranges too:
 * about how many processes can be busy at once (more wait for ranges), and the most ids the run
 * keeps in pending range records at a time.
 */
const BACKLOG = 64;
/** How long a process with nothing to take waits before it looks again, in ms (at most a quarter of the lease). */
const POLL_MS = 200;

/**
 * Checks `rotate({ join })`.
 * @throws VaultError `INVALID_ARGUMENT` (path `join`, `join.runId`, `join.rangeSize`, `join.leaseMs`, `dryRun`).
 */
export function checkJoinOptions(join: unknown, dryRun: unknown): void {
  if (join === undefined) return;
  if (typeof join !== 'object' || join === null) throw invalidArgument('join', 'an object (or left out)');
  const { runId, rangeSize, leaseMs } = join as JoinOptions;
  if (runId !== undefined && (typeof runId !== 'string' || !RUN_ID.test(runId)))
    throw invalidArgument('join.runId', `a string matching ${RUN_ID.source}`);
  if (rangeSize !== undefined && !(Number.isSafeInteger(rangeSize) && rangeSize >= 1 && rangeSize <= 100_000))
    throw invalidArgument('join.rangeSize', 'a whole number from 1 to 100000');
  if (leaseMs !== undefined && !(Number.isSafeInteger(leaseMs) && leaseMs >= 100))
    throw invalidArgument('join.leaseMs', 'a whole number of at least 100');
  if (dryRun === true) throw invalidArgument('dryRun', 'false with join (a joined run writes as it goes)');
}

/** What a joined rotation runs with (rotateStore's arguments). */
export interface JoinSetup {
  readonly store: VaultStore;
  readonly keyring: KeyEncryptionKeys;
  readonly namespace: string;
  readonly options: RotateOptions & { readonly join: JoinOptions };
  readonly executor: RewrapExecutor | undefined;
  readonly schema: AnyCredentialSchema | undefined;
  readonly hooks: RotateHooks | undefined;
  readonly route: RotateRoute | undefined;
}

/** Extends `lease` every third of `ms` until stopped; `lost` once an extension fails. */
function keep(lease: Lease, ms: number): { stop(): void; readonly lost: boolean } {
  let lost = false;
  const timer = setInterval(() => {
    lease.extend(ms).then(
      (held) => {
        if (!held) lost = true;
      },
      () => {}, // a store hiccup: the next tick tries again, and the lease may still expire
    );
  }, ms / 3);
  timer.unref?.();
  return {
    stop: () => clearInterval(timer),
    get lost() {
      return lost;
    },
  };
}

/**
 * A rotation worked on by every process that joins the run (`rotate({ join })`): each takes
 * ranges under their leases and works them through the rotation's own pipeline and write-back;
 * one at a time holds the scan lease and publishes ranges of the records not yet on the primary
 * kid as it reads the namespace (a scanner that dies is replaced and the scan starts over,
 * skipping records moved meanwhile). Returns when every range is done, with the whole run's counts.
 * @throws VaultError `UNSUPPORTED` without compare-and-set or leases; `INVALID_ARGUMENT` for a run
 * of another kid; `STORE_FAILED`.
 */
export async function joinRotation(setup: JoinSetup): Promise<RotateReport> {
  const { store, keyring, namespace, options } = setup;
  const { runId = keyring.primaryKid, rangeSize = 1000, leaseMs = 30_000 } = options.join;
  const lease = leaseFor(store);
  if (lease === undefined || store.compareAndSet === undefined)
    throw new VaultError('UNSUPPORTED', `the ${store.name} store has no leases or compare-and-set: it cannot join`);
  const board = new RangeBoard({ store, lease, namespace, runId, leaseMs });
  const { count } = store;
  const prefix = recordPrefix(namespace);
  const total = count === undefined ? undefined : await storeCall('count', () => count.call(store, prefix));
  const reencrypt = options.reencrypt === true;
  await board.openRun({
    v: 1,
    primaryKid: keyring.primaryKid,
    reencrypt,
    total,
    epoch: 0,
    published: 0,
    scanDone: false,
    scanned: 0,
    current: 0,
    kids: {},
  });
  const worker = new JoinWorker(setup, board, rangeSize, leaseMs, total);
  const aborted = await worker.loop();
  return worker.report(runId, aborted);
}

/** One process's part of a joined run. */
class JoinWorker {
  readonly me: string = toBase64url(randomBytes(12));
  readonly run: RotationRun;
  readonly pipeline: BatchPipeline;
  mine = 0;
  /** The run record as last read. */
  state: RunState | undefined;
  private scan: Scan | undefined;

  constructor(
    readonly setup: JoinSetup,
    readonly board: RangeBoard,
    readonly rangeSize: number,
    readonly leaseMs: number,
    total: number | undefined,
  ) {
    const { store, keyring, namespace, executor, schema, hooks, route } = setup;
    const reencrypt = setup.options.reencrypt === true;
    this.run = new RotationRun({
      store,
      keyring,
      namespace,
      reencrypt,
      dryRun: false,
      executor,
      schema,
      hooks,
      route,
      total,
    });
    this.pipeline = new BatchPipeline(this.run, undefined);
  }

  /** Takes and works ranges (and the scan when free) until all are done; whether it was aborted. */
  async loop(): Promise<boolean> {
    const { signal } = this.setup.options;
    try {
      for (;;) {
        if (signal?.aborted === true) return true;
        const found = await this.board.readRun();
        if (found === undefined) throw new VaultError('STORE_FAILED', 'the rotation run record disappeared');
        const { state } = found;
        this.state = state;
        if (this.scan === undefined && !state.scanDone) this.scan = await Scan.claim(this, found);
        if (this.scan !== undefined) {
          const more = await this.scan.step(BACKLOG);
          if (more === 'published') continue;
          if (more === 'ended') this.scan = undefined;
        }
        const latest = (await this.board.readRun())?.state ?? state;
        this.state = latest;
        const taken = await this.board.take(latest.published);
        if (taken !== undefined) {
          await this.work(taken);
          continue;
        }
        if (latest.scanDone && this.board.allDone(latest.published)) return false;
        await sleep(this.scan === undefined ? Math.min(POLL_MS, this.leaseMs / 4) : 20); // the scanner: its backlog is all taken
      }
    } finally {
      await this.scan?.stop();
    }
  }

  /** Works range `taken` through the pipeline under its renewed lease, then marks it done. */
  async work(taken: TakenRange): Promise<void> {
    const kept = keep(taken.lease, this.leaseMs);
    const { run, pipeline } = this;
    const { store, namespace, options } = this.setup;
    const before = { ...run.progress() };
    try {
      const keys = taken.ids.map((id) => recordKey(namespace, id));
      const values = await getValues(store, keys);
      const batchSize = options.batchSize ?? 256;
      for (const [i, id] of taken.ids.entries()) {
        const stored = values[i];
        if (stored === undefined) continue; // deleted since the scan
        const candidate = await run.classify(keys[i] as string, id, stored);
        if (typeof candidate === 'object') pipeline.add(candidate);
        else if (candidate === 'current') run.alreadyCurrent += 1;
        if (pipeline.pending >= batchSize) await pipeline.flush();
      }
      await pipeline.drain();
    } finally {
      kept.stop();
    }
    const after = run.progress();
    const counts: RangeCounts = {
      rewrapped: after.rewrapped - before.rewrapped,
      alreadyCurrent: after.alreadyCurrent - before.alreadyCurrent,
      changedMeanwhile: after.changedMeanwhile - before.changedMeanwhile,
      failed: after.failed.slice(before.failed.length),
      by: this.me,
    };
    if (await this.board.finish(taken, counts)) this.mine += 1;
    options.onProgress?.(this.progress());
  }

  /**
   * The run's counts as far as this process knows them (the ranges seen done); `scanned` is the
   * records accounted for so far (the bar's position): those the scan found current, and those
   * of the ranges done.
   */
  progress(): RotateProgress {
    const { state } = this;
    let rewrapped = 0;
    let alreadyCurrent = state?.current ?? 0;
    let changedMeanwhile = 0;
    const failed = [];
    for (const counts of this.board.done.values()) {
      rewrapped += counts.rewrapped;
      alreadyCurrent += counts.alreadyCurrent;
      changedMeanwhile += counts.changedMeanwhile;
      failed.push(...counts.failed);
    }
    const scanned = rewrapped + alreadyCurrent + failed.length;
    return { total: this.run.total, scanned, rewrapped, alreadyCurrent, changedMeanwhile, failed };
  }

  /** The report of the whole run (every range done, unless aborted). */
  async report(runId: string, aborted: boolean): Promise<RotateReport> {
    const state = (await this.board.readRun())?.state ?? this.state;
    this.state = state;
    const progress = this.progress();
    this.setup.options.onProgress?.(progress);
    const processes = new Set([...this.board.done.values()].map((counts) => counts.by)).size;
    const mine = { ranges: this.mine, rewrapped: this.run.rewrapped };
    return {
      ...progress,
      scanned: Math.max(progress.scanned, state?.scanned ?? 0), // the scan's count, once it is over
      primaryKid: this.setup.keyring.primaryKid,
      kids: state?.kids ?? {},
      dryRun: false,
      aborted,
      join: { runId, ranges: state?.published ?? 0, processes, mine },
    };
  }
}

/** The scanner role: this process holds the scan lease and publishes ranges as it reads. */
class Scan {
  private readonly entries: AsyncIterator<readonly [string, string]>;
  private readonly kept: { stop(): void; readonly lost: boolean };
  private scanned = 0;
  private current = 0;
  private readonly kids: Record<string, number> = {};

  private constructor(
    private readonly worker: JoinWorker,
    private readonly lease: Lease,
    private text: string,
    private state: RunState,
  ) {
    const { store, namespace } = worker.setup;
    this.entries = iterate(store)(recordPrefix(namespace))[Symbol.asyncIterator]();
    this.kept = keep(lease, worker.leaseMs);
  }

  /** The scan, if its lease is free and this process could start a new epoch of it. */
  static async claim(worker: JoinWorker, found: { state: RunState; text: string }): Promise<Scan | undefined> {
    const { board } = worker;
    const lease = await storeCall('lease', () => board.setup.lease(board.leaseName('scan'), worker.leaseMs));
    if (lease === undefined) return undefined;
    const now = (await board.readRun()) ?? found;
    const state: RunState = { ...now.state, epoch: now.state.epoch + 1, scanned: 0, current: 0, kids: {} };
    const text = now.state.scanDone ? undefined : await board.replaceRun(now.text, state);
    if (text === undefined) {
      await lease.release().catch(() => false);
      return undefined;
    }
    return new Scan(worker, lease, text, state);
  }

  /**
   * Reads the next range's worth of records not on the primary kid and publishes them, unless
   * `backlog` ranges already wait: then `'busy'` (work on one first). `'ended'` when the scan
   * finished or this process lost it.
   */
  async step(backlog: number): Promise<'published' | 'busy' | 'ended'> {
    const { worker } = this;
    if (this.state.published - worker.board.low >= backlog) return 'busy';
    if (this.kept.lost) return this.end();
    const { keyring, namespace, options } = worker.setup;
    const skipCurrent = options.reencrypt !== true;
    const ids: string[] = [];
    let finished = false;
    while (ids.length < worker.rangeSize) {
      const next = await this.entries.next();
      if (next.done === true) {
        finished = true;
        break;
      }
      const [key, stored] = next.value;
      this.scanned += 1;
      const kid = envelopeKid(stored);
      const bucket = kid ?? '?';
      this.kids[bucket] = (this.kids[bucket] ?? 0) + 1;
      if (skipCurrent && kid === keyring.primaryKid) this.current += 1;
      else ids.push(idOfKey(namespace, key));
    }
    const n = this.state.published;
    if (ids.length > 0 && !(await worker.board.writeRange(n, ids))) return this.end();
    const next: RunState = {
      ...this.state,
      published: ids.length > 0 ? n + 1 : n,
      scanDone: finished,
      scanned: this.scanned,
      current: this.current,
      kids: { ...this.kids },
    };
    const text = await worker.board.replaceRun(this.text, next);
    if (text === undefined) return this.end(); // another scanner took over
    this.text = text;
    this.state = next;
    worker.state = next;
    worker.setup.options.onProgress?.(worker.progress());
    return finished ? this.end() : 'published';
  }

  /** Stops reading and lets the scan lease go. */
  async stop(): Promise<void> {
    this.kept.stop();
    await this.entries.return?.().catch(() => undefined);
    await this.lease.release().catch(() => false);
  }

  /** Ends this process's part in the scan (finished, or lost to another scanner). */
  private async end(): Promise<'ended'> {
    await this.stop();
    return 'ended';
  }
}

/** The values of `keys`, in one round trip where the store can. */
function getValues(store: VaultStore, keys: readonly string[]): Promise<(string | undefined)[]> {
  const many = store.getMany;
  if (many !== undefined) return storeCall('getMany', () => many.call(store, keys));
  return Promise.all(keys.map((key) => storeCall('get', () => store.get(key))));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
