import { invalidArgument, isRecordLike, optionsArgument } from '../errors/index.js';

/** The default margin before expiry at which a token counts as needing a refresh: 5 minutes. */
export const DEFAULT_REFRESH_SKEW_MS: number = 5 * 60_000;

/** Options of {@link expiresAt} and {@link needsRefresh}. */
export interface ExpiryOptions {
  /** When the record was stored, for `expiresIn` (seconds from then). `vault.getEntry()` gives it. */
  readonly storedAt?: Date | undefined;
}

/**
 * When a record's access token expires: `expirationTimestamp` (Connection), else `expiryDate`
 * (ConnectionAuth), else `expiresIn` seconds after `storedAt`. `undefined` when the record
 * says nothing about it.
 * @throws VaultError `INVALID_ARGUMENT` naming `record` (not an object), `options` (not an
 * object) or `storedAt` (not a Date).
 */
export function expiresAt(record: object, options?: ExpiryOptions): Date | undefined {
  if (!isRecordLike(record)) throw invalidArgument('record', 'a record (an object)');
  const { storedAt } = optionsArgument(options);
  if (storedAt !== undefined && !(storedAt instanceof Date)) throw invalidArgument('storedAt', 'a Date (or left out)');
  const r = record as { expirationTimestamp?: unknown; expiryDate?: unknown; expiresIn?: unknown };
  if (r.expirationTimestamp instanceof Date) return r.expirationTimestamp;
  if (r.expiryDate instanceof Date) return r.expiryDate;
  if (typeof r.expiresIn === 'number' && storedAt !== undefined) {
    return new Date(storedAt.getTime() + r.expiresIn * 1000);
  }
  return undefined;
}

/** Options of {@link needsRefresh}. */
export interface NeedsRefreshOptions extends ExpiryOptions {
  /** Refresh this long before expiry. Default {@link DEFAULT_REFRESH_SKEW_MS}. */
  readonly skewMs?: number;
  /** The current time. Default `Date.now()`. */
  readonly now?: number;
}

/**
 * Whether the token expires within `skewMs` from now (or already has). A record with no
 * expiry information never needs a refresh by time.
 * @throws VaultError `INVALID_ARGUMENT` naming `record`, `options` or `storedAt` as
 * {@link expiresAt} does, or `skewMs` or `now` when it is not a finite number.
 */
export function needsRefresh(record: object, options?: NeedsRefreshOptions): boolean {
  const { skewMs, now } = optionsArgument(options);
  checkFinite(skewMs, 'skewMs');
  checkFinite(now, 'now');
  const at = expiresAt(record, options);
  if (at === undefined) return false;
  return at.getTime() - (skewMs ?? DEFAULT_REFRESH_SKEW_MS) <= (now ?? Date.now());
}

/**
 * An optional number option.
 * @throws VaultError `INVALID_ARGUMENT` naming `path` for anything but a finite number and `undefined`.
 */
function checkFinite(value: unknown, path: string): void {
  if (value !== undefined && !Number.isFinite(value)) throw invalidArgument(path, 'a finite number (or left out)');
}
