import { envelopeKid, VaultError } from '@credvault/core';

declare const sealedBrand: unique symbol;
declare const tokenBrand: unique symbol;

/**
 * What a sealed column holds: the text of a `cv1` envelope bound to its row's id (or, in a table
 * still being adopted, a legacy value as stored). Only {@link Credentials.seal} makes one; open it
 * with {@link Credentials.open}.
 */
export type SealedText = string & { readonly [sealedBrand]: true };

/** What a blind-index column holds: a field's base64url HMAC token from {@link Credentials.seal} or {@link Credentials.term}. */
export type BlindIndexToken = string & { readonly [tokenBrand]: true };

/** A blind-index token as core makes it: the base64url of a 32-byte HMAC. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The check of every value a sealed column sends to the database: a `cv1` envelope, nothing
 * else, so a record or a plaintext string never reaches the column by mistake.
 * @throws VaultError `INVALID_ARGUMENT` (path: the column's name) for anything else; the message
 * never quotes the value.
 */
export function envelopeToDriver(value: unknown, column: string): string {
  if (typeof value === 'string' && envelopeKid(value) !== undefined) return value;
  const what = typeof value === 'string' ? 'a string that is not a cv1 envelope' : `a ${describe(value)}`;
  throw new VaultError(
    'INVALID_ARGUMENT',
    `the sealed column "${column}" takes cv1 envelope text only, not ${what}: seal the rows first (await creds.seal(rows))`,
    { path: column },
  );
}

/**
 * The check of every value a blind-index column sends to the database (inserts, updates and
 * `where` comparisons alike): a token, never the indexed value itself.
 * @throws VaultError `INVALID_ARGUMENT` (path: the column's name) for anything else.
 */
export function tokenToDriver(value: unknown, column: string): string {
  if (typeof value === 'string' && TOKEN.test(value)) return value;
  throw new VaultError(
    'INVALID_ARGUMENT',
    `the blind-index column "${column}" takes tokens only (creds.seal fills it, creds.term or creds.where looks one up), not ${typeof value === 'string' ? 'another string' : `a ${describe(value)}`}`,
    { path: column },
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

type Mapped = { mapToDriverValue(value: unknown): unknown };

/** Whether a Drizzle column is a sealed column of this package: it takes an envelope and refuses a record. */
export function isSealedColumn(column: Mapped): boolean {
  return accepts(column, 'cv1.probe.x') && !accepts(column, { probe: true });
}

/** Whether a Drizzle column is a blind-index column of this package: it takes a token and refuses an envelope. */
export function isIndexColumn(column: Mapped): boolean {
  return accepts(column, 'A'.repeat(43)) && !accepts(column, 'cv1.probe.x');
}

function accepts(column: Mapped, value: unknown): boolean {
  try {
    column.mapToDriverValue(value);
    return true;
  } catch {
    return false;
  }
}
