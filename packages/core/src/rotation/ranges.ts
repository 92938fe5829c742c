import { storeCall, VaultError } from '../errors/index.js';
import type { AcquireLease, Lease, VaultStore } from '../store/index.js';
import { leaseKey, rotationKey } from '../store/index.js';
import type { RotateFailure } from './types.js';

/**
 * The hand-out of a rotation run by many processes (`rotate({ join })`), through the store.
 *
 * A run is one record and numbered ranges (FORMAT.md, "Rotation runs"):
 *
 * - `~rotate:<namespace>:<runId>:run`: `{ v, primaryKid, reencrypt, total, epoch, published,
 *   scanDone, scanned, current, kids }` (JSON). `published` ranges exist, numbered from 0.
 * - `~rotate:<namespace>:<runId>:range:<n>`: `pending:<JSON array of record ids>` while to do,
 *   then `done:<JSON RangeCounts>` (compare-and-set: finished once).
 * - leases `~lease:<namespace>:rotate:<runId>.<n>` (working range n) and
 *   `~lease:<namespace>:rotate:<runId>.scan` (the scanner, which publishes ranges).
 *
 * A range is worked on only under its lease; a lease that expires (its holder died) frees the
 * range for the next taker, who starts it over (records already moved are skipped unopened).
 */

/** What one range's work did, as kept in its `done:` record. */
export interface RangeCounts {
  /** Records moved to the primary kid. */
  readonly rewrapped: number;
  /** Already on the primary kid when opened from the range (moved by someone else, or written meanwhile). */
  readonly alreadyCurrent: number;
  /** Written by someone else meanwhile: left as they wrote it, or retried. */
  readonly changedMeanwhile: number;
  readonly failed: readonly RotateFailure[];
  /** The random token of the process that finished it. */
  readonly by: string;
}

/** The run record: what was asked, and how far the scan is. */
export interface RunState {
  readonly v: 1;
  readonly primaryKid: string;
  readonly reencrypt: boolean;
  readonly total: number | undefined;
  /** Bumped by every scanner that takes over: a scanner whose epoch is gone publishes nothing more. */
  readonly epoch: number;
  /** Ranges `0 .. published - 1` exist. */
  readonly published: number;
  readonly scanDone: boolean;
  /** Records the current scan read, and those it found already on the primary kid (not published). */
  readonly scanned: number;
  readonly current: number;
  readonly kids: Readonly<Record<string, number>>;
}

/** A range held by this process: its number, record ids, and lease. */
export interface TakenRange {
  readonly n: number;
  readonly ids: readonly string[];
  readonly lease: Lease;
  /** The `pending:` value, compared when finishing. */
  readonly pending: string;
}

/** Where a run lives and how long its leases last. */
export interface BoardSetup {
  readonly store: VaultStore;
  readonly lease: AcquireLease;
  readonly namespace: string;
  readonly runId: string;
  readonly leaseMs: number;
}

const WINDOW = 256; // range records read per round trip while looking for work
const PENDING = 'pending:';
const DONE = 'done:';

/** The store records of one run, and this process's view of them. */
export class RangeBoard {
  /** Counts of the ranges seen done, by number (a done record never changes). */
  readonly done: Map<number, RangeCounts> = new Map();
  /** Every range below this one is known done. */
  low = 0;

  constructor(readonly setup: BoardSetup) {}

  /** The run record's key. */
  get runKey(): string {
    return rotationKey(this.setup.namespace, this.setup.runId, 'run');
  }

  /** The key of range `n`'s record. */
  rangeKey(n: number): string {
    return rotationKey(this.setup.namespace, this.setup.runId, `range:${n}`);
  }

  /** The lease name of range `n`, or of the scan. */
  leaseName(n: number | 'scan'): string {
    return leaseKey(this.setup.namespace, 'rotate', `${this.setup.runId}.${n}`);
  }

  /** The run record, or `undefined` before anyone created it. */
  async readRun(): Promise<{ state: RunState; text: string } | undefined> {
    const text = await storeCall('get', () => this.setup.store.get(this.runKey));
    return text === undefined ? undefined : { state: parseRun(text), text };
  }

  /**
   * The run record, created as `initial` if nobody did yet.
   * @throws VaultError `INVALID_ARGUMENT` (path `join.runId`) when the run exists for another primary kid or mode.
   */
  async openRun(initial: RunState): Promise<RunState> {
    const text = JSON.stringify(initial);
    if (await this.cas(this.runKey, undefined, text)) return initial;
    const found = await this.readRun();
    if (found === undefined) return this.openRun(initial); // created and deleted meanwhile: try again
    const { state } = found;
    if (state.primaryKid !== initial.primaryKid || state.reencrypt !== initial.reencrypt) {
      throw new VaultError(
        'INVALID_ARGUMENT',
        `rotation run "${this.setup.runId}" moves records to kid "${state.primaryKid}"${state.reencrypt ? ' (reencrypt)' : ''}: use another run id`,
        { path: 'join.runId' },
      );
    }
    return state;
  }

  /** Replaces the run record `from` (its text as read) with `next`; whether nobody changed it meanwhile. */
  async replaceRun(from: string, next: RunState): Promise<string | undefined> {
    const text = JSON.stringify(next);
    return (await this.cas(this.runKey, from, text)) ? text : undefined;
  }

  /**
   * Writes range `n` with `ids`, pending. A range record above `published` is an orphan of a
   * scanner that lost its epoch before publishing it: replaced. Whether it was written.
   */
  async writeRange(n: number, ids: readonly string[]): Promise<boolean> {
    const key = this.rangeKey(n);
    const value = `${PENDING}${JSON.stringify(ids)}`;
    if (await this.cas(key, undefined, value)) return true;
    const orphan = await storeCall('get', () => this.setup.store.get(key));
    return orphan?.startsWith(PENDING) === true && (await this.cas(key, orphan, value));
  }

  /**
   * A range of `0 .. published - 1` that is pending and whose lease this process took, or
   * `undefined` when every one is done or held by someone else. Learns the done ones on the way.
   */
  async take(published: number): Promise<TakenRange | undefined> {
    for (let from = this.low; from < published; from += WINDOW) {
      const numbers: number[] = [];
      for (let n = from; n < Math.min(published, from + WINDOW); n += 1) if (!this.done.has(n)) numbers.push(n);
      const values = await this.getMany(numbers.map((n) => this.rangeKey(n)));
      for (const [i, n] of numbers.entries()) {
        const value = values[i];
        if (value === undefined) continue; // published ranges are written first: none is missing
        if (value.startsWith(DONE)) {
          this.learn(n, value);
          continue;
        }
        const taken = await this.tryTake(n);
        if (taken !== undefined) return taken;
      }
    }
    return undefined;
  }

  /**
   * Marks a taken range done with `counts` (compare-and-set: once, whoever finishes first) and
   * releases its lease. Whether this call finished it.
   */
  async finish(taken: TakenRange, counts: RangeCounts): Promise<boolean> {
    const value = `${DONE}${JSON.stringify(counts)}`;
    const finished = await this.cas(this.rangeKey(taken.n), taken.pending, value);
    if (finished) this.learn(taken.n, value);
    await storeCall('lease release', () => taken.lease.release()).catch(() => false); // it expires anyway
    return finished;
  }

  /** Whether every range `0 .. published - 1` is known done. */
  allDone(published: number): boolean {
    return this.low >= published;
  }

  /** The lease of range `n` if free, with the range if it is still pending. */
  private async tryTake(n: number): Promise<TakenRange | undefined> {
    const lease = await storeCall('lease', () => this.setup.lease(this.leaseName(n), this.setup.leaseMs));
    if (lease === undefined) return undefined;
    const pending = await storeCall('get', () => this.setup.store.get(this.rangeKey(n)));
    if (pending?.startsWith(PENDING) === true) {
      return { n, ids: JSON.parse(pending.slice(PENDING.length)) as string[], lease, pending };
    }
    if (pending !== undefined) this.learn(n, pending);
    await storeCall('lease release', () => lease.release()).catch(() => false);
    return undefined;
  }

  private learn(n: number, value: string): void {
    this.done.set(n, JSON.parse(value.slice(DONE.length)) as RangeCounts);
    while (this.done.has(this.low)) this.low += 1;
  }

  private cas(key: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
    const { store } = this.setup;
    const cas = store.compareAndSet;
    if (cas === undefined) throw new VaultError('UNSUPPORTED', `the ${store.name} store cannot compare-and-set`);
    return storeCall('compareAndSet', () => cas.call(store, key, expected, next));
  }

  private getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const { store } = this.setup;
    const many = store.getMany;
    if (many !== undefined) return storeCall('getMany', () => many.call(store, keys));
    return Promise.all(keys.map((key) => storeCall('get', () => store.get(key))));
  }
}

/**
 * A run record's text, checked.
 * @throws VaultError `STORE_FAILED` when it is not one.
 */
function parseRun(text: string): RunState {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    state = undefined;
  }
  const ok = typeof state === 'object' && state !== null && (state as { v?: unknown }).v === 1;
  if (!ok) throw new VaultError('STORE_FAILED', 'the rotation run record is not a v1 run record');
  return state as RunState;
}
