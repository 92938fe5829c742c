/**
 * The stable error codes of credvault. Match on `error.code`, never on the message.
 *
 * - `VALIDATION_FAILED`: a record does not match its schema (on `set`, or on `get` after opening).
 * - `DECRYPT_FAILED`: a stored value is malformed or does not authenticate (tampered, moved, truncated).
 * - `UNKNOWN_KEY`: a stored value names a key id that the keyring does not hold.
 * - `INVALID_KEYRING`: a keyring is empty, has a duplicate kid, or a key that is not 32 bytes.
 * - `INVALID_ARGUMENT`: a bad id, namespace, option or filter was passed to the API.
 * - `STORE_FAILED`: the backing store rejected or failed an operation.
 * - `UNSUPPORTED`: the store lacks a capability the operation needs (e.g. iteration).
 * - `CONFLICT`: a read-modify-write lost the compare-and-set race more times than allowed,
 *   or a refresh waited too long for another process's refresh.
 * - `NOT_FOUND`: the operation needs a stored record and there is none (e.g. `refresh`).
 * - `REFRESH_FAILED`: the refresher threw; its error is the `cause`, the record is unchanged.
 * - `KEY_UNAVAILABLE`: a KMS or HSM holding a master key cannot be used (unreachable, access
 *   denied, key disabled or missing, wrong PIN); the message gives the provider's reason. No other
 *   key is tried instead.
 * - `SECRET_IN_CLEAR`: a stored record holds, in its readable part, a field its schema lists
 *   as secret (the field became secret after the record was written, or someone wrote it in
 *   clear); `path` names the field. `rotate({ reencrypt: true })` moves it into the sealed part.
 * - `TENANT_KEY_GONE`: a record is wrapped under a tenant key that is gone: the tenant was
 *   shredded, or its key record is sealed under a master key no keyring holds any more (a copy
 *   restored from a backup taken before the shred, once the old master key is retired).
 */
export const VaultErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  DECRYPT_FAILED: 'DECRYPT_FAILED',
  UNKNOWN_KEY: 'UNKNOWN_KEY',
  INVALID_KEYRING: 'INVALID_KEYRING',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  STORE_FAILED: 'STORE_FAILED',
  UNSUPPORTED: 'UNSUPPORTED',
  CONFLICT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  REFRESH_FAILED: 'REFRESH_FAILED',
  KEY_UNAVAILABLE: 'KEY_UNAVAILABLE',
  SECRET_IN_CLEAR: 'SECRET_IN_CLEAR',
  TENANT_KEY_GONE: 'TENANT_KEY_GONE',
} as const;

/** One of the {@link VaultErrorCode} values. */
export type VaultErrorCode = (typeof VaultErrorCode)[keyof typeof VaultErrorCode];

/** A single schema problem, without the offending value. */
export interface VaultIssue {
  /** Dot path of the field, e.g. `meta.region` or `emails.1`; empty for the record itself. */
  readonly path: string;
  /** What was expected, in schema terms, e.g. `string` or `("oauth2" | "apikey" | "basic")`. */
  readonly expected: string;
}

/** Options of the {@link VaultError} constructor. */
export interface VaultErrorOptions {
  /** Dot path of the field at fault, where there is one. */
  readonly path?: string;
  /** Every schema problem found, for `VALIDATION_FAILED`. */
  readonly issues?: readonly VaultIssue[];
  /** The underlying error. Never pass anything that holds a plaintext secret. */
  readonly cause?: unknown;
  /** Record id the error concerns, where there is one. Ids are not secret. */
  readonly id?: string;
}

const CODES: ReadonlySet<unknown> = new Set(Object.values(VaultErrorCode));

/** The argument of the {@link VaultError} constructor at fault and what it must be, if any. */
function badArgument(code: unknown, message: unknown, options: unknown): readonly [string, string] | undefined {
  if (!CODES.has(code)) return ['code', 'one of the VaultErrorCode values'];
  if (typeof message !== 'string') return ['message', 'a string'];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return ['options', 'an object of options (or left out)'];
  }
  const { path, id, issues } = options as Record<string, unknown>;
  if (path !== undefined && typeof path !== 'string') return ['options.path', 'a string (or left out)'];
  if (id !== undefined && typeof id !== 'string') return ['options.id', 'a string (or left out)'];
  if (issues !== undefined && !Array.isArray(issues)) return ['options.issues', 'an array (or left out)'];
  return undefined;
}

/**
 * The one error class credvault throws. Its message names the field path or record id at
 * fault and never contains a secret value.
 *
 * @example
 * ```ts
 * try { await vault.get(id) } catch (e) {
 *   if (isVaultError(e) && e.code === 'DECRYPT_FAILED') alert(e.id)
 * }
 * ```
 */
export class VaultError extends Error {
  /** Stable, machine-readable code. */
  readonly code: VaultErrorCode;
  /** Dot path of the field at fault, if any. */
  readonly path: string | undefined;
  /** Record id the error concerns, if any. */
  readonly id: string | undefined;
  /** Schema problems, for `VALIDATION_FAILED`. */
  readonly issues: readonly VaultIssue[];
  /** The message without its code prefix and record id. */
  readonly detail: string;

  /**
   * @param code - the stable code
   * @param message - a message that must not contain any secret value
   * @param options - path, issues, id and cause
   * @throws VaultError `INVALID_ARGUMENT` naming the argument (`code`, `message`, `options`,
   * `options.path`, `options.id`, `options.issues`) for a code that is not one of
   * {@link VaultErrorCode}, a message, path or id that is not a string, or issues that are not an array.
   */
  constructor(code: VaultErrorCode, message: string, options: VaultErrorOptions = {}) {
    const bad = badArgument(code, message, options);
    if (bad !== undefined) throw new VaultError('INVALID_ARGUMENT', `${bad[0]} must be ${bad[1]}`, { path: bad[0] });
    const where = options.id === undefined ? '' : ` (record "${options.id}")`;
    super(`${code}: ${message}${where}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VaultError';
    this.detail = message;
    this.code = code;
    this.path = options.path;
    this.id = options.id;
    this.issues = options.issues ?? [];
  }
}

/**
 * Whether `error` is a {@link VaultError}, optionally with the given code.
 *
 * @param error - anything caught
 * @param code - the code to match, if any
 */
export function isVaultError(error: unknown, code?: VaultErrorCode): error is VaultError {
  return error instanceof VaultError && (code === undefined || error.code === code);
}

/**
 * Names the record in an error raised below the vault (keyring, envelope, store); any other
 * error is returned unchanged.
 */
export function forRecord(error: unknown, id: string): unknown {
  if (!(error instanceof VaultError) || error.id !== undefined) return error;
  const { path, issues, cause } = error;
  return new VaultError(error.code, error.detail, { id, issues, cause, ...(path === undefined ? {} : { path }) });
}

/**
 * Runs `operation` against a store and turns any failure into `STORE_FAILED`.
 *
 * @param what - the operation, for the message
 * @param operation - the store call
 * @param id - the record concerned, if any
 * @throws VaultError `STORE_FAILED` when `operation` rejects with anything but a VaultError.
 */
export async function storeCall<T>(what: string, operation: () => Promise<T>, id?: string): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof VaultError) throw id === undefined ? error : forRecord(error, id);
    throw new VaultError('STORE_FAILED', `store ${what} failed`, { cause: error, ...(id === undefined ? {} : { id }) });
  }
}
