/**
 * Helpers for store authors whose backend keeps keys in order (SQL tables): a prefix as a key
 * range, and iteration by keyset pages. `@credvault/sqlite` and `@credvault/postgres` use them.
 */

import { checkFunction, checkWholeNumber, invalidArgument, isRecordLike } from '../errors/index.js';

/**
 * The smallest string greater than every string that starts with `prefix`, in code point
 * (UTF-8 byte) order, so that `key >= prefix AND key < prefixEnd(prefix)` selects exactly the
 * keys with that prefix without `LIKE` and its wildcards; `undefined` when there is no such
 * string (a prefix of U+10FFFF characters only): then only the lower bound applies.
 * @throws VaultError `INVALID_ARGUMENT` (path `prefix`) when `prefix` is not a string.
 */
export function prefixEnd(prefix: string): string | undefined {
  if (typeof prefix !== 'string') throw invalidArgument('prefix', 'a string');
  const points = [...prefix];
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

/** One page of rows in key order: those after `cursor` (from `cursor` itself when `first`), at most the page size. */
export type FetchPage = (cursor: string, first: boolean) => Promise<readonly { key: string; value: string }[]>;

/**
 * Every `[key, value]` from `start` on, page by page in key order (keyset pagination: each page
 * starts after the last key of the one before, so a row is yielded once even while others are
 * written). The next page is requested before the current one is handed out, so the reads
 * overlap the caller's work. A page shorter than `pageSize` is the last.
 * @throws VaultError `INVALID_ARGUMENT` (on the first step, path `start`, `pageSize` or
 * `fetchPage`) for a `start` that is not a string, a `pageSize` that is not a positive whole
 * number, or a `fetchPage` that is not a function or resolves to anything but an array of
 * `{ key, value }` strings.
 */
export async function* keysetEntries(
  start: string,
  pageSize: number,
  fetchPage: FetchPage,
): AsyncGenerator<readonly [string, string]> {
  if (typeof start !== 'string') throw invalidArgument('start', 'a string');
  checkWholeNumber(pageSize, 'pageSize', 1);
  checkFunction(fetchPage, 'fetchPage');
  let next: Promise<readonly { key: string; value: string }[]> | undefined = Promise.resolve(fetchPage(start, true));
  while (next !== undefined) {
    const rows = checkRows(await next);
    const last = rows[rows.length - 1];
    next = rows.length < pageSize || last === undefined ? undefined : Promise.resolve(fetchPage(last.key, false));
    next?.catch(() => {}); // reported when awaited
    // Array.of, not a literal: a rotation holds these until its write lands (`tuple` in rotation/write-back).
    for (const row of rows) yield Array.of(row.key, row.value) as [string, string];
  }
}

/**
 * A page `fetchPage` resolved to, checked.
 * @throws VaultError `INVALID_ARGUMENT` (path `fetchPage`) unless it is an array of `{ key, value }` strings.
 */
function checkRows(rows: unknown): readonly { key: string; value: string }[] {
  const ok =
    Array.isArray(rows) &&
    rows.every((row) => isRecordLike(row) && typeof row.key === 'string' && typeof row.value === 'string');
  if (!ok) throw invalidArgument('fetchPage', 'a function resolving to an array of { key, value } strings');
  return rows;
}
