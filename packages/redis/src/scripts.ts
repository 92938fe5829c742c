import { createHash } from 'node:crypto';

/** A Lua script and its SHA1, for EVALSHA with an EVAL fallback. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Compare-and-set. KEYS[1] the key; ARGV: expectedPresent ('1'/'0'), expected, nextPresent, next.
 * Returns 1 when it wrote, 0 when the current value did not match.
 */
export const COMPARE_AND_SET: Script = script(`
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '1' then redis.call('SET', KEYS[1], ARGV[4]) else redis.call('DEL', KEYS[1]) end
return 1
`);

/** The ARGV of {@link COMPARE_AND_SET}: `expected` (absent: undefined), then `next` (undefined: delete). */
export function casArguments(expected: string | undefined, next: string | undefined): string[] {
  return [expected === undefined ? '0' : '1', expected ?? '', next === undefined ? '0' : '1', next ?? ''];
}

/** Deletes KEYS[1] only if it holds ARGV[1]; 1 when it did. */
export const DELETE_IF_HOLDS: Script = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Releases a lease: deletes KEYS[1] only if it holds ARGV[1] (the owner token). */
export const RELEASE_LEASE: Script = DELETE_IF_HOLDS;

/** Sets the expiry of KEYS[1] to ARGV[2] ms only if it holds ARGV[1] (the owner token). */
export const EXTEND_LEASE: Script = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** Escapes glob characters so that `prefix` matches itself in SCAN MATCH. */
export function globEscape(prefix: string): string {
  return prefix.replace(/[*?[\]\\^-]/g, (c) => `\\${c}`);
}

/**
 * Compare-and-set of many keys in one call, each key present before and after. KEYS the keys;
 * ARGV the expected and next value of each in turn (`ARGV[2i-1]`, `ARGV[2i]`). Returns one 1
 * (written) or 0 (its value did not match) per key, in order.
 */
export const COMPARE_AND_SET_MANY: Script = script(`
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[2 * i - 1] then
    redis.call('SET', key, ARGV[2 * i])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`);

/**
 * Replaces the start of many values in one call, each on its own: KEYS the keys; ARGV the prefix
 * each value must start with and what replaces it, in turn (`ARGV[2i-1]`, `ARGV[2i]`). Only the
 * prefix is read and written when both are as long in bytes (GETRANGE, SETRANGE: a rotation's new
 * head on an envelope), the whole value otherwise (SET, as the compare-and-set scripts). One 1
 * (replaced) or 0 (no such prefix) per key, in order.
 */
export const REPLACE_PREFIX_MANY: Script = script(`
local out = {}
for i, key in ipairs(KEYS) do
  local prefix, replacement = ARGV[2 * i - 1], ARGV[2 * i]
  if #prefix > 0 and redis.call('GETRANGE', key, 0, #prefix - 1) == prefix then
    if #replacement == #prefix then
      redis.call('SETRANGE', key, 0, replacement)
    else
      redis.call('SET', key, replacement .. string.sub(redis.call('GET', key), #prefix + 1))
    end
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`);
