import { createHash } from 'node:crypto';
import { globEscape } from './scripts.js';

/**
 * The hash tag Redis Cluster would hash `key` by: the first `{`, the first `}` after it, with at
 * least one character between; its `[open, close]` indexes, or undefined when the whole key is
 * hashed (no `{`, no `}` after it, or `{}` first).
 */
function hashTag(key: string): readonly [number, number] | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close < 0 || close === open + 1 ? undefined : [open, close];
}

/** The store's own tag for a key: the first 8 hex digits of SHA-256 of its UTF-8 bytes. */
function ownTag(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * The Redis key under which the cluster store keeps `key`. A key without a hash tag is itself
 * (every key of a record whose id holds no `{...}` is unchanged). A key with one, e.g.
 * `ns:{same}-1`, gets the store's own tag inserted before its first `{`:
 * `ns:{<8 hex of SHA-256(key)>}{same}-1`. Redis then hashes only that tag, so whoever chooses
 * ids cannot choose their slot, and keys that share a tag spread over every master. Injective,
 * keeps prefixes (the tag goes at the first `{`), undone by {@link logicalKey}.
 */
export function clusterKey(key: string): string {
  const tag = hashTag(key);
  return tag === undefined ? key : `${key.slice(0, tag[0])}{${ownTag(key)}}${key.slice(tag[0])}`;
}

/**
 * The key a Redis key read back (by SCAN) stands for: the inverse of {@link clusterKey}, and the
 * key itself for any other (a key without a hash tag, or one written before the store tagged keys).
 */
export function logicalKey(redisKey: string): string {
  const tag = hashTag(redisKey);
  if (tag === undefined || tag[1] - tag[0] !== 9) return redisKey;
  const key = redisKey.slice(0, tag[0]) + redisKey.slice(tag[1] + 1);
  return hashTag(key) !== undefined && ownTag(key) === redisKey.slice(tag[0] + 1, tag[1]) ? key : redisKey;
}

/**
 * How a cluster SCAN finds the keys starting with `prefix`: its MATCH pattern, and whether each
 * key read back (as {@link logicalKey}) must still be checked against the prefix. A prefix with a
 * `{` is matched up to it only: the store's tag may stand where that `{` was.
 */
export function clusterScan(prefix: string): { readonly match: string; readonly check: boolean } {
  const open = prefix.indexOf('{');
  return open < 0
    ? { match: `${globEscape(prefix)}*`, check: false }
    : { match: `${globEscape(prefix.slice(0, open))}*`, check: true };
}
