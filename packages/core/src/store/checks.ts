import { checkArray, invalidArgument, VaultError } from '../errors/index.js';

/**
 * Checks, for a store author, that the keys of one `compareAndSetMany` or `replacePrefixMany`
 * call are distinct: the contract of {@link VaultStore.compareAndSetMany} and
 * {@link VaultStore.replacePrefixMany}. Call it before touching the backend, so a refused batch
 * changes nothing.
 *
 * @param entries - the entries of the call, each starting with its key
 * @param operation - the method's name, for the message
 * @throws `INVALID_ARGUMENT` (path `entries`) when two entries share a key or `entries` is not
 * an array, (path `entries.<i>`) for an entry that is not an array starting with a string key,
 * (path `operation`) for an operation name that is not a string
 *
 * @example
 * ```ts
 * compareAndSetMany: async (entries) => { checkDistinctKeys(entries); return write(entries) }
 * ```
 */
export function checkDistinctKeys(
  entries: readonly (readonly [string, ...unknown[]])[],
  operation = 'compareAndSetMany',
): void {
  checkArray(entries, 'entries');
  if (typeof operation !== 'string') throw invalidArgument('operation', 'a string');
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw invalidArgument(`entries.${index}`, 'an array starting with a string key');
    }
    const key = entry[0];
    const first = seen.get(key);
    if (first !== undefined) {
      throw new VaultError(
        'INVALID_ARGUMENT',
        `${operation} keys must be distinct: entry ${index} repeats the key of entry ${first}`,
        { path: 'entries' },
      );
    }
    seen.set(key, index);
  });
}
