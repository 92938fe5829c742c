import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { AnyCredentialSchema, LegacyReader } from '@credvault/core';
import {
  type KeyEntry,
  type MigrateResult,
  type RewrapExecutor,
  type RewrapResult,
  type SealExecutor,
  type SealResult,
  VaultError,
} from '@credvault/core';

/** Options of {@link rewrapPool}. */
export interface RewrapPoolOptions {
  /** The vault's master keys, primary first (the same list as its keyring; each worker holds a copy). */
  readonly keys: readonly KeyEntry[];
  /** Worker threads; default {@link defaultPoolSize} of `os.availableParallelism()`: one per core but one. */
  readonly size?: number;
  /**
   * V8 limits of each worker thread, over {@link WORKER_LIMITS} (a young generation of 8 MB; with
   * `migrate`, {@link MIGRATE_WORKER_LIMITS}: 32 MB): what you set here replaces the default for that limit.
   */
  readonly resourceLimits?: ResourceLimits;
  /**
   * Lets the workers migrate legacy values whole for `vault.migrate({ executor })`: read,
   * validate and seal, leaving the main thread only the store's reads and writes. Each worker
   * imports `module` (a file URL, or a package specifier; a relative path is refused, since it
   * would resolve from this package: pass `new URL('./setup.js', import.meta.url)`) and calls its
   * default export with a copy of `data`; it answers the vault's `schema` and `legacy` readers
   * (see {@link MigrateSetup}). They must be the vault's: the vault checks the first envelope of
   * every batch against its own and stops the migration at the first difference.
   */
  readonly migrate?: { readonly module: string | URL; readonly data?: unknown };
}

/**
 * What the default export of {@link RewrapPoolOptions.migrate}'s module answers (or resolves
 * to), in each worker: the vault's schema and legacy readers, built there.
 */
export interface MigrateSetup {
  readonly schema: AnyCredentialSchema;
  readonly legacy: LegacyReader | readonly LegacyReader[];
}

/**
 * Each worker's V8 limits unless `resourceLimits` says otherwise: a young generation of 8 MB. V8
 * grows a thread's young generation with the work it has done, up to 48 MB here, so a long
 * rotation peaked tens of MB above a short one; a batch's work fits in 8 MB (rotating 100,000
 * Redis records, the process peaked at 322-328 MB with V8's default, 294 MB with 8, 304-309
 * with 16 and 321-323 with 4, in the same time or less).
 */
export const WORKER_LIMITS: Readonly<ResourceLimits> = Object.freeze({ maxYoungGenerationSizeMb: 8 });

/**
 * Each worker's V8 limits in a pool with `migrate`, unless `resourceLimits` says otherwise: a
 * young generation of 32 MB. Reading, validating and sealing a legacy value allocates several
 * times what a rewrap does, and with 8 MB the worker spent a fifth of its time collecting:
 * migrating 100,000 plaintext rows of a SQLite table took 1.53-1.62x the I/O pass with 8 MB,
 * 1.45-1.66x with 16, 1.29-1.50x with 32 and 1.36-1.51x with 48.
 */
export const MIGRATE_WORKER_LIMITS: Readonly<ResourceLimits> = Object.freeze({ maxYoungGenerationSizeMb: 32 });

/**
 * Workers for `cores` cores: one per core but one, which stays with the thread that reads and
 * writes the store (its client's parsing, its batches), and at least one. Rotating 100,000
 * records on 2 cores, one worker against two: SQLite 3,427-3,438 ms against 3,560-3,631, Redis
 * 3,118-3,132 against 3,258-3,487 (the server on the same cores), PostgreSQL 7,556-8,213 against
 * 7,947-8,425.
 */
export function defaultPoolSize(cores: number): number {
  return Math.max(1, cores - 1);
}

/**
 * A pool of worker threads that rewrap for `vault.rotate({ executor })` and seal for
 * `vault.migrate({ executor })`; close it when done.
 */
export interface RewrapPool extends RewrapExecutor, SealExecutor {
  /**
   * Stops the workers; batches still running are refused with `KEY_UNAVAILABLE`. A worker that
   * dies on its own breaks the pool the same way: every pending and later batch is refused.
   */
  close(): Promise<void>;
}

/**
 * A seal batch as the worker gets it: one string of every record's parts, each ended by U+0000
 * (which canonical JSON text never holds), where no id holds one; else the records as they are.
 * One string is copied to the worker in one piece: posting the 500 records of a batch as
 * arrays of strings cost about twice as much of the main thread's time. (A migrate batch goes
 * as it is: its values come from the store as flat strings, which the structured clone copies
 * faster than it flattens one joined string, and its answers come back as they are likewise.)
 */
function packed(records: readonly (readonly [string, string, string])[]): { text: string } | { records: unknown } {
  if (!Array.isArray(records)) return { records };
  let text = '';
  for (const record of records) {
    // anything else goes as it is, for the worker's sealBatch to refuse or seal
    if (!Array.isArray(record) || record.length !== 3 || !record.every(packable)) return { records };
    text += `${record[0]}\u0000${record[1]}\u0000${record[2]}\u0000`;
  }
  return { text };
}

const packable = (part: unknown): boolean => typeof part === 'string' && !part.includes('\u0000');

type Result = RewrapResult | SealResult | MigrateResult;

interface Reply {
  readonly job: number;
  readonly results?: Result[];
  /** A seal batch's results when every one is an envelope: joined by U+0000 (one string to copy, as the batch came). */
  readonly text?: string;
  readonly error?: string;
}

interface Pending {
  resolve(results: Result[]): void;
  reject(error: Error): void;
}

/**
 * The `migrate` option as the workers get it: the module's URL (resolved here, so that a bare
 * specifier resolves from this package) and `data`.
 * @throws VaultError `INVALID_ARGUMENT` (path `migrate.module`) for a relative specifier (it would
 * resolve from here, not from the caller) and for a module that is neither a URL nor resolves.
 */
function migrateData(option: NonNullable<RewrapPoolOptions['migrate']>): { module: string; data: unknown } {
  const { module, data } = option;
  if (typeof module === 'string' && /^\.\.?[/\\]/.test(module)) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `migrate.module "${module}" is relative, and would resolve from @credvault/worker-pool: pass new URL("${module}", import.meta.url)`,
      { path: 'migrate.module' },
    );
  }
  try {
    const url = module instanceof URL ? module.href : import.meta.resolve(module);
    return { module: url, data };
  } catch {
    throw new VaultError('INVALID_ARGUMENT', 'migrate.module must be a module URL or specifier that resolves', {
      path: 'migrate.module',
    });
  }
}

/**
 * The worker: its built file, or in source mode (this file is `.ts`, run under tsx) a bootstrap
 * that registers tsx in the worker thread and imports the `.ts` worker. Either way the worker
 * inherits the process's flags (`--conditions=@credvault/source` included, in source mode).
 */
function spawn(workerData: unknown, resourceLimits: ResourceLimits): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./rewrap-worker.js', import.meta.url), { workerData, resourceLimits });
  const tsxApi = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs'); // the ESM build
  const tsx = pathToFileURL(tsxApi).href;
  const worker = new URL('./rewrap-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}

/**
 * Starts worker threads that do the crypto of a key rotation (open each record, wrap its data
 * key under the primary key, check the wrap) while the vault reads and writes the store on the
 * main thread. Each worker holds a copy of the master keys for as long as the pool is open.
 *
 * @example
 * ```ts
 * const pool = rewrapPool({ keys: [next, old] })
 * try {
 *   await vault.rotate({ executor: pool, batchSize: 500 })
 * } finally {
 *   await pool.close()
 * }
 * ```
 * @throws VaultError `INVALID_ARGUMENT` for a `size` that is not a positive whole number;
 * `INVALID_KEYRING` for keys a keyring refuses.
 */
export function rewrapPool(options: RewrapPoolOptions): RewrapPool {
  const size = options.size ?? defaultPoolSize(availableParallelism());
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new VaultError('INVALID_ARGUMENT', 'size must be a positive whole number', { path: 'size' });
  }
  const limits: ResourceLimits = {
    ...(options.migrate === undefined ? WORKER_LIMITS : MIGRATE_WORKER_LIMITS),
    ...options.resourceLimits,
  };
  const primaryKid = options.keys[0]?.kid;
  if (primaryKid === undefined) throw new VaultError('INVALID_KEYRING', 'the keyring holds no key');
  const pending = new Map<number, Pending>();
  const load: number[] = [];
  let nextJob = 0;
  let closed = false;
  /** Set when a worker dies: the pool then refuses every batch, pending and future (none would ever settle). */
  let broken: VaultError | undefined;

  const fail = (error: VaultError) => {
    broken ??= error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  const migrate = options.migrate === undefined ? undefined : migrateData(options.migrate);
  const workers = Array.from({ length: size }, (_, index) => {
    const worker = spawn({ keys: options.keys.map((k) => ({ ...k })), migrate }, limits);
    load.push(0);
    worker.unref();
    worker.on('message', ({ job, results: listed, text, error }: Reply) => {
      const waiting = pending.get(job);
      if (waiting === undefined) return;
      const results = text === undefined ? listed : text.split('\u0000');
      pending.delete(job);
      load[index] = (load[index] as number) - 1;
      if (load[index] === 0) worker.unref();
      if (results !== undefined) waiting.resolve(results);
      else waiting.reject(new VaultError('KEY_UNAVAILABLE', `a rewrap worker failed (${error ?? 'unknown error'})`));
    });
    worker.on('error', (error) => fail(new VaultError('KEY_UNAVAILABLE', `a rewrap worker stopped (${error.name})`)));
    worker.on('exit', (code) => {
      if (!closed) fail(new VaultError('KEY_UNAVAILABLE', `a rewrap worker exited (code ${code})`));
    });
    return worker;
  });

  /** Posts a job to the least loaded worker; its answer, or the pool's refusal. */
  const post = <R>(
    message: { readonly namespace: string; readonly kind: 'rewrap' | 'seal' | 'migrate' } & Record<string, unknown>,
  ) => {
    if (closed) return Promise.reject(new VaultError('KEY_UNAVAILABLE', 'the rewrap pool is closed'));
    if (broken !== undefined) return Promise.reject(broken);
    const index = load.indexOf(Math.min(...load));
    const worker = workers[index] as Worker;
    const job = nextJob++;
    load[index] = (load[index] as number) + 1;
    worker.ref();
    return new Promise<R>((resolve, reject) => {
      pending.set(job, { resolve: resolve as Pending['resolve'], reject });
      worker.postMessage({ job, ...message });
    });
  };

  return {
    primaryKid,
    concurrency: size,
    rewrap: (namespace, records) => post<readonly RewrapResult[]>({ namespace, kind: 'rewrap', records }),
    seal: (namespace, records) => post<readonly SealResult[]>({ namespace, kind: 'seal', ...packed(records) }),
    ...(migrate === undefined
      ? {}
      : {
          migrate: (namespace: string, values: readonly (readonly [string, string])[]) =>
            post<readonly MigrateResult[]>({ namespace, kind: 'migrate', records: values }),
        }),
    async close() {
      if (closed) return;
      closed = true;
      fail(new VaultError('KEY_UNAVAILABLE', 'the rewrap pool is closed'));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
