import { VaultError } from '../errors/index.js';

/**
 * Checks, for a store author, that the keys of one `compareAndSetMany` or `replacePrefixMany`
 * call are distinct: the contract of {@link VaultStore.compareAndSetMany} and
 * {@link VaultStore.replacePrefixMany}. Call it before touching the backend, so a refused batch
 * changes nothing.
 *
 * @param entries - the entries of the call, each starting with its key
 * @param operation - the method's name, for the message
 * @throws `INVALID_ARGUMENT` (path `entries`) when two entries share a key
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
  const seen = new Map<string, number>();
  entries.forEach(([key], index) => {
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
