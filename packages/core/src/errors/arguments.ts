import { VaultError, type VaultErrorCode } from './vault-error.js';

/**
 * The error for a bad argument or option: `INVALID_ARGUMENT` (or the `code` given) whose message
 * and `path` name it. The value itself is never shown: it may be a secret.
 */
export function invalidArgument(path: string, expected: string, code: VaultErrorCode = 'INVALID_ARGUMENT'): VaultError {
  return new VaultError(code, `${path} must be ${expected}`, { path });
}

/** Whether `value` is an object that can carry named members: not `null`, an array or a function. */
export function isRecordLike(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An options argument: `undefined` (all defaults, `{}`) or an object of members.
 * @throws VaultError `INVALID_ARGUMENT` naming `path` for `null`, an array, a function or a primitive.
 */
export function optionsArgument<T extends object>(value: T | undefined, path = 'options'): T {
  if (value === undefined) return {} as T;
  if (!isRecordLike(value)) throw invalidArgument(path, 'an object of options (or left out)');
  return value;
}

/**
 * A function argument or option; `optional` lets `undefined` through.
 * @throws VaultError `INVALID_ARGUMENT` naming `path` otherwise.
 */
export function checkFunction(value: unknown, path: string, optional = false): void {
  if (typeof value === 'function' || (optional && value === undefined)) return;
  throw invalidArgument(path, optional ? 'a function (or left out)' : 'a function');
}

/**
 * An optional boolean option.
 * @throws VaultError `INVALID_ARGUMENT` naming `path` for anything but `true`, `false` and `undefined`.
 */
export function checkBoolean(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(path, 'true or false (or left out)');
}

/**
 * An optional whole number option of at least `min`.
 * @throws VaultError `INVALID_ARGUMENT` naming `path` for anything else but `undefined`.
 */
export function checkWholeNumber(value: unknown, path: string, min: number): void {
  if (value === undefined || (Number.isSafeInteger(value) && (value as number) >= min)) return;
  throw invalidArgument(path, `a whole number of at least ${min} (or left out)`);
}

/**
 * An array argument.
 * @throws VaultError `INVALID_ARGUMENT` (or `code`) naming `path` for anything that is not an array.
 */
export function checkArray(value: unknown, path: string, code?: VaultErrorCode): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw invalidArgument(path, 'an array', code);
}
