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
 */
export function expiresAt(record: object, options: ExpiryOptions = {}): Date | undefined {
  const r = record as { expirationTimestamp?: unknown; expiryDate?: unknown; expiresIn?: unknown };
  if (r.expirationTimestamp instanceof Date) return r.expirationTimestamp;
  if (r.expiryDate instanceof Date) return r.expiryDate;
  if (typeof r.expiresIn === 'number' && options.storedAt !== undefined) {
    return new Date(options.storedAt.getTime() + r.expiresIn * 1000);
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
 */
export function needsRefresh(record: object, options: NeedsRefreshOptions = {}): boolean {
  const at = expiresAt(record, options);
  if (at === undefined) return false;
  return at.getTime() - (options.skewMs ?? DEFAULT_REFRESH_SKEW_MS) <= (options.now ?? Date.now());
}
