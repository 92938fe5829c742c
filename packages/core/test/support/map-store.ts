import type { VaultStore } from '@credvault/core';

/** The store contract over a Map, with compare-and-set and ordered iteration: drives the vault's own logic in unit tests. */
export function mapStore(): VaultStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  const cas = async (key: string, expected: string | undefined, next: string | undefined) => {
    if (map.get(key) !== expected) return false;
    if (next === undefined) map.delete(key);
    else map.set(key, next);
    return true;
  };
  return {
    name: 'map',
    map,
    get: async (key) => map.get(key),
    set: async (key, value) => void map.set(key, value),
    delete: async (key) => map.delete(key),
    has: async (key) => map.has(key),
    compareAndSet: cas,
    compareAndSetMany: async (entries) => Promise.all(entries.map(([k, e, n]) => cas(k, e, n))),
    count: async (prefix) => [...map.keys()].filter((k) => k.startsWith(prefix)).length,
    async *entries(prefix) {
      for (const key of [...map.keys()].sort()) {
        const value = map.get(key);
        if (key.startsWith(prefix) && value !== undefined) yield [key, value] as const;
      }
    },
  };
}
