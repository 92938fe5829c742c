/**
 * The instrumentation seam of a vault (`createVault({ telemetry })`): what a vault reports, in
 * plain values, to whatever records it (`@credvault/opentelemetry` builds one on the
 * OpenTelemetry API). Core imports no telemetry library. Nothing crosses this seam that is a
 * secret: no record value, no key material, no blind-index entry; record ids only when the
 * implementation asks for them with {@link VaultTelemetry.recordIds}.
 */
export interface VaultTelemetry {
  /**
   * Whether the vault passes record ids (`id` of {@link OperationInfo} and {@link StoreCallInfo}).
   * Default `false`: no id crosses the seam.
   */
  readonly recordIds?: boolean;
  /**
   * Whether anything records right now. Asked before each operation, store call and key call:
   * while it answers `false` the vault builds nothing for this seam (no info, no span, no clock,
   * no `async` frame) and calls the operation straight through, telling none of the methods
   * below but {@link cache}. Any other answer, or no `active`, reports the call. Asked at every
   * call, so a recorder that comes alive later (an OpenTelemetry SDK registered after
   * `openTelemetry()`) is told of the calls made from then on. An `active` that is not a function
   * makes `createVault` throw `INVALID_ARGUMENT` (path `telemetry.active`).
   */
  active?(): boolean;
  /**
   * Starts the span of one vault operation, or of one batch of a rotation
   * (`rotate.batch`, inside the `rotate` span). The vault runs the operation's work through
   * {@link TelemetrySpan.run}, so store and key calls made by it happen inside it.
   */
  operation(info: OperationInfo): TelemetrySpan;
  /** Starts the span of one call of a `VaultStore` method, run through {@link TelemetrySpan.run}. */
  storeCall(info: StoreCallInfo): TelemetrySpan;
  /**
   * One call of a key-encryption key that answered asynchronously (a KMS or HSM; a local
   * keyring answers at once and is not reported), started at `info.startTime` and settled by
   * `pending`. Returns `pending`, or a promise settling as it does.
   */
  remoteKeyCall<T>(info: RemoteKeyCallInfo, pending: Promise<T>): Promise<T>;
  /** One lookup of the unwrap cache or the record cache, and what it found. */
  cache(info: CacheInfo): void;
  /** Records of a rotation that reached `result` since the last report (several times per run). */
  rotation(info: RotationInfo): void;
  /** What `status()` counted: records per kid. */
  records(info: RecordsInfo): void;
}

/**
 * A span in progress: {@link run} runs work inside it (more than once, for a rotation batch
 * rewrapped then written); {@link end} closes it once, with the error that failed it if any.
 */
export interface TelemetrySpan {
  /** Runs `work` with this span as the current one, returning what it returns. */
  run<T>(work: () => T): T;
  /** Ends the span: `ok`, or failed with `error` (a `VaultError`'s code is its outcome). */
  end(error?: unknown): void;
}

/** The vault operations a vault reports, and `rotate.batch` for each batch of a rotation. */
export type VaultOperationName =
  | 'set'
  | 'setMany'
  | 'get'
  | 'getEntry'
  | 'update'
  | 'refresh'
  | 'findBy'
  | 'has'
  | 'delete'
  | 'entries'
  | 'rotate'
  | 'rotate.batch'
  | 'rotateTenant'
  | 'shred'
  | 'status'
  | 'verify'
  | 'migrate';

/** What {@link VaultTelemetry.operation} is told. */
export interface OperationInfo {
  readonly operation: VaultOperationName;
  readonly namespace: string;
  /** The record id, only where {@link VaultTelemetry.recordIds} is true and the operation has one. */
  readonly id?: string;
  /** Records in a `rotate.batch`, or in a `setMany`. */
  readonly records?: number;
}

/**
 * The `VaultStore` methods, as {@link StoreCallInfo.operation} names them, and a lease's own
 * calls (`lease.extend`, `lease.release`: a `Lease` that `lease` handed out).
 */
export type StoreOperationName =
  | 'get'
  | 'set'
  | 'delete'
  | 'has'
  | 'entries'
  | 'getMany'
  | 'setMany'
  | 'compareAndSet'
  | 'compareAndSetMany'
  | 'replacePrefixMany'
  | 'count'
  | 'lease'
  | 'lease.extend'
  | 'lease.release'
  | 'close';

/** What {@link VaultTelemetry.storeCall} is told. */
export interface StoreCallInfo {
  /** The store's `name` (`memory`, `sqlite`, `redis`, `postgres`, `keyv`, ...). */
  readonly store: string;
  readonly operation: StoreOperationName;
  readonly namespace: string;
  /** Keys in a batch call (`getMany`, `setMany`, `compareAndSetMany`, `replacePrefixMany`). */
  readonly keys?: number;
  /** The record id of a single-key call on a record, only where {@link VaultTelemetry.recordIds} is true. */
  readonly id?: string;
}

/** What {@link VaultTelemetry.remoteKeyCall} is told. */
export interface RemoteKeyCallInfo {
  readonly operation: 'wrap' | 'unwrap';
  readonly kid: string;
  /** When the call started: `performance.now()` in ms. */
  readonly startTime: number;
}

/** What {@link VaultTelemetry.cache} is told. */
export interface CacheInfo {
  readonly cache: 'unwrap' | 'record';
  /** `coalesced`: joined an unwrap already under way for the same wrapped key. */
  readonly result: 'hit' | 'miss' | 'coalesced';
  readonly namespace: string;
}

/** What {@link VaultTelemetry.rotation} is told. */
export interface RotationInfo {
  readonly namespace: string;
  /** `rewrapped` (moved to the primary kid), `current` (already on it), `failed`, `changed` (written meanwhile by someone else). */
  readonly result: 'rewrapped' | 'current' | 'failed' | 'changed';
  readonly count: number;
}

/** What {@link VaultTelemetry.records} is told: `status()`'s counts. */
export interface RecordsInfo {
  readonly namespace: string;
  readonly primaryKid: string;
  /** The application's records per kid (`~tenant`, `?` as `status()` counts them). */
  readonly kids: Readonly<Record<string, number>>;
  /** Records on any master kid but the primary. */
  readonly notOnPrimary: number;
}
