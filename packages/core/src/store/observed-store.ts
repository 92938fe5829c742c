import {
  activeCheck,
  inSpan,
  observedIteration,
  type StoreCallInfo,
  type StoreOperationName,
  type VaultTelemetry,
} from '../telemetry/index.js';
import type { Lease, VaultStore } from './contract.js';
import { idOfKey, recordPrefix } from './keys.js';

/** The optional methods of the contract that take one key or none, passed through one span each. */
const SINGLE = ['compareAndSet', 'count', 'close'] as const;
/** The optional batch methods: their first argument is the list of entries or keys. */
const BATCH = ['getMany', 'setMany', 'compareAndSetMany', 'replacePrefixMany'] as const;

/**
 * `store` with each call of its methods reported to `telemetry` as one store call span of the
 * vault's `namespace`: the same capabilities (an optional method it lacks stays absent), the
 * same answers and errors. A record's id goes with a single-key call only where
 * `telemetry.recordIds` is true; values never do. `entries` is one span from the start of the
 * iteration to its end. A lease that `lease` hands out reports its own `extend` and `release`
 * (`lease.extend`, `lease.release`), each one span, wherever it is called. While
 * `telemetry.active()` answers `false`, a call is the store's own, made straight through: no
 * span, no info built, no `async` frame. The vault wraps its store so only when it has telemetry.
 * @throws VaultError `INVALID_ARGUMENT` (path `telemetry.active`) for an `active` that is not a function.
 */
export function observedStore(store: VaultStore, telemetry: VaultTelemetry, namespace: string): VaultStore {
  const prefix = recordPrefix(namespace);
  const active = activeCheck(telemetry);
  const info = (operation: StoreOperationName, key?: string, keys?: number): StoreCallInfo => ({
    store: store.name,
    operation,
    namespace,
    ...(keys === undefined ? {} : { keys }),
    ...(telemetry.recordIds === true && key?.startsWith(prefix) === true ? { id: idOfKey(namespace, key) } : {}),
  });
  const call = <T>(operation: StoreOperationName, key: string | undefined, run: () => Promise<T>, keys?: number) =>
    inSpan(telemetry.storeCall(info(operation, key, keys)), run);
  // Each method asks `active()` first and, while nothing records, returns the store's own call.
  const observed: Record<string, unknown> = {
    name: store.name,
    get: (key: string) => (active() ? call('get', key, () => store.get(key)) : store.get(key)),
    set: (key: string, value: string) =>
      active() ? call('set', key, () => store.set(key, value)) : store.set(key, value),
    delete: (key: string) => (active() ? call('delete', key, () => store.delete(key)) : store.delete(key)),
    has: (key: string) => (active() ? call('has', key, () => store.has(key)) : store.has(key)),
  };
  for (const name of SINGLE) {
    const method = store[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (method === undefined) continue;
    observed[name] = (...args: unknown[]) =>
      active()
        ? call(name, name === 'compareAndSet' ? (args[0] as string) : undefined, () => method.apply(store, args))
        : method.apply(store, args);
  }
  for (const name of BATCH) {
    const method = store[name] as ((entries: readonly unknown[]) => Promise<unknown>) | undefined;
    if (method === undefined) continue;
    observed[name] = (entries: readonly unknown[]) =>
      active() ? call(name, undefined, () => method.call(store, entries), entries.length) : method.call(store, entries);
  }
  const { lease } = store;
  if (lease !== undefined) {
    // A lease is wrapped either way: its extend and release ask `active()` when they are called.
    const observedCall: LeaseCall = (operation, run) => (active() ? call(operation, undefined, run) : run());
    observed.lease = async (name: string, ttlMs: number) => {
      const held = await observedCall('lease', () => lease.call(store, name, ttlMs));
      return held === undefined ? undefined : observedLease(held, observedCall);
    };
  }
  const { entries } = store;
  if (entries !== undefined) {
    observed.entries = (from: string) =>
      active()
        ? observedIteration(telemetry.storeCall(info('entries')), entries.call(store, from)[Symbol.asyncIterator]())
        : entries.call(store, from);
  }
  return observed as unknown as VaultStore;
}

/** A store call of a lease, reported while the telemetry records and made straight through otherwise. */
type LeaseCall = <T>(operation: 'lease' | 'lease.extend' | 'lease.release', run: () => Promise<T>) => Promise<T>;

/** `lease` with its `extend` and `release` each reported as one store call span. */
function observedLease(lease: Lease, call: LeaseCall): Lease {
  return {
    name: lease.name,
    token: lease.token,
    extend: (ttlMs: number) => call('lease.extend', () => lease.extend(ttlMs)),
    release: () => call('lease.release', () => lease.release()),
  };
}
