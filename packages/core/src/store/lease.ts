import { randomBytes, toBase64url } from '../crypto/index.js';
import { invalidArgument, isRecordLike } from '../errors/index.js';
import type { Lease, VaultStore } from './contract.js';

/** Takes a lease, or answers `undefined` while someone else holds it. */
export type AcquireLease = (name: string, ttlMs: number) => Promise<Lease | undefined>;

/**
 * The store's own leases (Redis), or leases built on its compare-and-set (SQLite): the
 * value `<expiry ms>|<owner token>`, taken when absent or expired. `undefined` when the store
 * has neither (the generic Keyv path), so only in-process coordination is possible.
 * @throws VaultError `INVALID_ARGUMENT` (path `store`) for a `store` without a `get` function,
 * or whose `lease` or `compareAndSet` is there but not a function.
 */
export function leaseFor(store: VaultStore): AcquireLease | undefined {
  if (
    !isRecordLike(store) ||
    typeof store.get !== 'function' ||
    !['undefined', 'function'].includes(typeof store.lease) ||
    !['undefined', 'function'].includes(typeof store.compareAndSet)
  ) {
    throw invalidArgument('store', 'a VaultStore (get, and lease or compareAndSet functions if any)');
  }
  if (store.lease !== undefined) return store.lease.bind(store);
  const cas = store.compareAndSet?.bind(store);
  if (cas === undefined) return undefined;
  return async (name, ttlMs) => {
    const token = toBase64url(randomBytes(16));
    const current = await store.get(name);
    if (current !== undefined && Number(current.split('|')[0]) > Date.now()) return undefined;
    if (!(await cas(name, current, `${Date.now() + ttlMs}|${token}`))) return undefined;
    const mine = async () => {
      const now = await store.get(name);
      return now?.endsWith(`|${token}`) ? now : undefined;
    };
    return {
      name,
      token,
      release: async () => {
        const held = await mine();
        return held !== undefined && cas(name, held, undefined);
      },
      extend: async (ms: number) => {
        const held = await mine();
        return held !== undefined && cas(name, held, `${Date.now() + ms}|${token}`);
      },
    };
  };
}
