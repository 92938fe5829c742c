/** The options, progress and report of a rotation, and how the vault routes and hears it. */
import type { VaultErrorCode } from '../errors/index.js';
import type { TelemetrySpan } from '../telemetry/index.js';
import type { RewrapExecutor } from './rewrap-executor.js';

/** Options of {@link Vault.rotate}. */
export interface RotateOptions {
  /** Records read, rewrapped and written per batch. Default 256. */
  readonly batchSize?: number;
  /**
   * Called after every batch, and once at the end. Where the store can count, the count runs
   * beside the scan, and batches that land before it answers are reported once it has: every
   * call carries the total.
   */
  readonly onProgress?: (progress: RotateProgress) => void;
  /** Stops after the batch in hand is written; the report says `aborted`. Run again to resume. */
  readonly signal?: AbortSignal;
  /** Opens and rewraps everything but writes nothing. */
  readonly dryRun?: boolean;
  /**
   * Seal the secrets again under a fresh data key (for a suspected data-key leak), records
   * already on the primary kid included. Fields are also moved to the part the schema puts
   * them in now: a field added to the schema's secret list leaves the readable part (the
   * migration for `SECRET_IN_CLEAR`).
   */
  readonly reencrypt?: boolean;
  /**
   * Rewraps batches elsewhere (e.g. `rewrapPool` of `@credvault/worker-pool`, worker threads
   * sized to the cores) while this thread reads and writes the store; its primary kid must be
   * the vault's. Used for a plain rotation of records under the vault's own keys; `reencrypt`
   * and tenant-key rotations rewrap in this thread.
   */
  readonly executor?: RewrapExecutor;
  /**
   * Work on this rotation together with every other process (on any machine) that joins the
   * same run on the same store and namespace: ranges of records are handed out through the
   * store's leases, a range whose holder dies is taken over when its lease expires, and each
   * process returns when every range is done, with the report of the whole run. Needs a store
   * with compare-and-set and leases (SQLite, PostgreSQL, Redis, memory). Not with `dryRun`.
   */
  readonly join?: JoinOptions;
}

/** Options of a rotation run by many processes: {@link RotateOptions.join}. */
export interface JoinOptions {
  /**
   * The run every process joins: 1 to 64 of `[A-Za-z0-9_.-]`. Default: the primary kid, so
   * that every process rotating to the same key joins one run. A finished run answers its
   * report without doing anything: give a new id to rotate again to the same kid.
   */
  readonly runId?: string;
  /** Records per range (the unit handed out, and redone if its holder dies). Default 1000. */
  readonly rangeSize?: number;
  /** How long a lease lasts unless renewed (renewed every third of it while held), in ms. Default 30,000. */
  readonly leaseMs?: number;
}

/** What a joined rotation adds to its report. */
export interface JoinSummary {
  readonly runId: string;
  /** Ranges of the run. */
  readonly ranges: number;
  /** Processes that finished ranges. */
  readonly processes: number;
  /** Ranges this process finished, and records it moved. */
  readonly mine: { readonly ranges: number; readonly rewrapped: number };
}

/** A record rotation could not move, left exactly as it was (`CONFLICT`: the application kept changing it during every retry). */
export interface RotateFailure {
  readonly id: string;
  readonly code: VaultErrorCode;
}

/** Counts so far; the final one is the report. */
export interface RotateProgress {
  /** Records in the namespace, counted as the run starts (beside its scan), if the store can count. */
  readonly total: number | undefined;
  readonly scanned: number;
  /** Moved to the primary kid (or, dry run: would be). */
  readonly rewrapped: number;
  /** Already on the primary kid: skipped without decrypting. */
  readonly alreadyCurrent: number;
  /** Written by someone else during the run: left as they wrote it, or retried. */
  readonly changedMeanwhile: number;
  readonly failed: readonly RotateFailure[];
}

/** What a rotation did. */
export interface RotateReport extends RotateProgress {
  readonly primaryKid: string;
  /** Records per kid as found by the scan (a `?` kid: not a cv1 envelope). */
  readonly kids: Readonly<Record<string, number>>;
  readonly dryRun: boolean;
  readonly aborted: boolean;
  /** With `join`: the run, and this process's part of it (the counts above are the whole run's). */
  readonly join?: JoinSummary;
}

/** What the vault hears from a rotation, for its events. */
export interface RotateHooks {
  rewrapped(id: string, fromKid: string, toKid: string): void;
  failed(id: string, code: VaultErrorCode, kid: string | undefined): void;
  /** Starts the span of a batch of `records` (vaults with telemetry): its rewrap and its write run inside it. */
  batch?(records: number): TelemetrySpan;
  /** Whether a stored value is one the rotation leaves alone, outside it: a vault's legacy values, which `migrate` rewrites. */
  leaves?(stored: string): boolean;
}
