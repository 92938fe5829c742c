import {
  checkBoolean,
  checkFunction,
  checkWholeNumber,
  invalidArgument,
  isRecordLike,
  optionsArgument,
  VaultError,
} from '../errors/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import { checkRotateOptions } from '../rotation/index.js';
import { checkId, isWellFormed } from '../store/index.js';
import type { VaultEventType } from './events.js';
import type {
  EntriesOptions,
  MigrateOptions,
  RefreshOptions,
  TenantRotateOptions,
  UpdateOptions,
  VerifyReport,
} from './types.js';

/**
 * The checks of the vault's per-call arguments, made by `createVault`'s facade before an
 * operation starts: a bad argument is `INVALID_ARGUMENT` naming it (`path`), never a TypeError
 * from deep inside, and nothing is stored.
 */

/**
 * A record id (see `checkId`), named `path` in the error.
 * @throws VaultError `INVALID_ARGUMENT` with `path`.
 */
export function idArgument(id: unknown, path = 'id'): asserts id is string {
  try {
    checkId(id);
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    throw new VaultError(error.code, `${path}: ${error.detail}`, { path });
  }
}

/**
 * The batch of `setMany`: an iterable (not a string) whose items are checked as they are read,
 * each an `[id, record]` pair with a valid id.
 * @throws VaultError `INVALID_ARGUMENT` with path `entries`, or `entries.<n>` for a bad item.
 */
export function batchArgument(entries: unknown): Iterable<readonly [string, unknown]> {
  const iterator = (entries as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator];
  if (typeof entries === 'string' || typeof iterator !== 'function') {
    throw invalidArgument('entries', 'an iterable of [id, record] pairs');
  }
  return pairs(entries as Iterable<unknown>);
}

function* pairs(entries: Iterable<unknown>): Generator<readonly [string, unknown]> {
  let index = 0;
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) throw invalidArgument(`entries.${index}`, 'an [id, record] pair');
    idArgument(entry[0], `entries.${index}`);
    yield entry as [string, unknown];
    index += 1;
  }
}

/**
 * The arguments of `update` after the id.
 * @throws VaultError `INVALID_ARGUMENT` naming `updater`, `options` or `maxAttempts`.
 */
export function updateArguments(updater: unknown, options: unknown): UpdateOptions {
  checkFunction(updater, 'updater');
  const checked = optionsArgument(options as UpdateOptions);
  checkWholeNumber(checked.maxAttempts, 'maxAttempts', 1);
  return checked;
}

/**
 * The arguments of `refresh` after the id.
 * @throws VaultError `INVALID_ARGUMENT` naming `refresher`, `options`, `skewMs`, `force`, `leaseTtlMs` or `waitMs`.
 */
export function refreshArguments(refresher: unknown, options: unknown): RefreshOptions {
  checkFunction(refresher, 'refresher');
  const checked = optionsArgument(options as RefreshOptions);
  const { skewMs, force, leaseTtlMs, waitMs } = checked;
  if (skewMs !== undefined && !Number.isFinite(skewMs)) throw invalidArgument('skewMs', 'a finite number of ms');
  if (force !== undefined && typeof force !== 'boolean') throw invalidArgument('force', 'true or false');
  checkWholeNumber(leaseTtlMs, 'leaseTtlMs', 1);
  checkWholeNumber(waitMs, 'waitMs', 0);
  return checked;
}

/**
 * The arguments of `findBy`: `value` must be a string (`''` finds nothing).
 * @throws VaultError `INVALID_ARGUMENT` naming `field` or `value`.
 */
export function findByArguments(field: unknown, value: unknown): void {
  if (typeof field !== 'string') throw invalidArgument('field', 'the name of an indexed field');
  if (typeof value !== 'string') throw invalidArgument('value', 'a string');
}

/**
 * The options of `entries`.
 * @throws VaultError `INVALID_ARGUMENT` naming `options` or `where`.
 */
export function entriesArguments<S extends AnyCredentialSchema>(options: unknown): EntriesOptions<S> {
  const checked = optionsArgument(options as EntriesOptions<S>);
  if (checked.where !== undefined && !isRecordLike(checked.where)) {
    throw invalidArgument('where', 'an object of readable fields (or left out)');
  }
  return checked;
}

/** The longest tenant, as a record's tenant field may hold it. */
const MAX_TENANT_LENGTH = 512;

/**
 * A tenant, as `rotateTenant` and `shred` take it: the same non-empty, well-formed string of at
 * most 512 characters a record's tenant field holds.
 * @throws VaultError `INVALID_ARGUMENT` with path `tenant`.
 */
export function tenantArgument(tenant: unknown): asserts tenant is string {
  if (typeof tenant !== 'string' || tenant === '' || tenant.length > MAX_TENANT_LENGTH || !isWellFormed(tenant)) {
    throw invalidArgument('tenant', `a well-formed string of 1 to ${MAX_TENANT_LENGTH} characters`);
  }
}

/**
 * The options of `rotateTenant`: those of a rotation and `instancesCacheTtlMs`.
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault.
 */
export function tenantRotateArguments(options: unknown): TenantRotateOptions {
  checkRotateOptions(options);
  const checked = optionsArgument(options as TenantRotateOptions);
  checkWholeNumber(checked.instancesCacheTtlMs, 'instancesCacheTtlMs', 0);
  return checked;
}

/**
 * The options of `verify`.
 * @throws VaultError `INVALID_ARGUMENT` naming `options` or `onProgress`.
 */
export function verifyArguments(options: unknown): { onProgress?: (report: VerifyReport) => void } {
  const checked = optionsArgument(options as { onProgress?: (report: VerifyReport) => void });
  checkFunction(checked.onProgress, 'onProgress', true);
  return checked;
}

/**
 * The options of `migrate`.
 * @throws VaultError `INVALID_ARGUMENT` naming `options`, `options.dryRun`, `options.batchSize` or `options.onProgress`.
 */
export function migrateArguments(options: unknown): MigrateOptions {
  const checked = optionsArgument(options as MigrateOptions);
  const { dryRun, batchSize } = checked;
  checkBoolean(dryRun, 'options.dryRun');
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) {
    throw invalidArgument('options.batchSize', 'a whole number from 1 to 10,000 (or left out)');
  }
  checkFunction(checked.onProgress, 'options.onProgress', true);
  return checked;
}

const EVENT_TYPES: ReadonlySet<unknown> = new Set<VaultEventType | '*'>([
  'set',
  'get',
  'delete',
  'refresh',
  'refreshFailed',
  'rotate',
  'decryptFailed',
  'legacy',
  'migrate',
  '*',
]);

/**
 * The arguments of `on`: a known event type (or `'*'`) and a function.
 * @throws VaultError `INVALID_ARGUMENT` naming `type` or `listener`.
 */
export function onArguments(type: unknown, listener: unknown): void {
  if (!EVENT_TYPES.has(type)) throw invalidArgument('type', `one of ${[...EVENT_TYPES].join(', ')}`);
  checkFunction(listener, 'listener');
}
