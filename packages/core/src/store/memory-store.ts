import { checkDistinctKeys } from './checks.js';
import type { CompleteStore } from './contract.js';

/** A {@link CompleteStore} in this process's memory, with its Map for direct reads and writes in tests. */
export interface MemoryStore extends CompleteStore {
  /** The rows, by store key. Reading it is fine; writing it bypasses compare-and-set. */
  readonly map: Map<string, string>;
}

/**
 * A store in a `Map`, with every capability of the contract: atomic compare-and-set (one
 * process, one event loop), batches, counting and iteration in key order over the keys
 * present when the scan started (each yielded once, with its value at the time it is
 * reached; keys deleted meanwhile are skipped). Leases come from `leaseFor` over its
 * compare-and-set. For tests, examples and single-process tools; nothing survives the process.
 *
 * @example
 * ```ts
 * const vault = createVault({ store: memoryStore(), keyring, schema: connectionSchema })
 * ```
 */
export function memoryStore(): MemoryStore {
  const map = new Map<string, string>();
  const cas = (key: string, expected: string | undefined, next: string | undefined): boolean => {
    if (map.get(key) !== expected) return false;
    if (next === undefined) map.delete(key);
    else map.set(key, next);
    return true;
  };
  const under = (prefix: string) => [...map.keys()].filter((key) => key.startsWith(prefix));
  return {
    name: 'memory',
    map,
    get: async (key) => map.get(key),
    set: async (key, value) => void map.set(key, value),
    delete: async (key) => map.delete(key),
    has: async (key) => map.has(key),
    getMany: async (keys) => keys.map((key) => map.get(key)),
    setMany: async (entries) => {
      for (const [key, value] of entries) map.set(key, value);
    },
    compareAndSet: async (key, expected, next) => cas(key, expected, next),
    compareAndSetMany: async (entries) => {
      checkDistinctKeys(entries);
      return entries.map(([key, expected, next]) => cas(key, expected, next));
    },
    replacePrefixMany: async (entries) => {
      checkDistinctKeys(entries, 'replacePrefixMany');
      return entries.map(([key, prefix, next]) => {
        const value = map.get(key);
        if (prefix === '' || value?.startsWith(prefix) !== true) return false;
        map.set(key, next + value.slice(prefix.length));
        return true;
      });
    },
    count: async (prefix) => under(prefix).length,
    async *entries(prefix) {
      for (const key of under(prefix).sort()) {
        const value = map.get(key);
        if (value !== undefined) yield [key, value] as const;
      }
    },
    close: async () => {},
  };
}
