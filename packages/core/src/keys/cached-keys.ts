import { checkFunction, checkWholeNumber, optionsArgument, VaultError } from '../errors/index.js';
import { type Awaitable, checkKeyEncryptionKeys, type KeyEncryptionKeys } from './keyring.js';

/** Options of {@link cachedKeys}. */
export interface UnwrapCacheOptions {
  /** Most data keys held at once; the least recently used goes first. Default 1000. */
  readonly maxEntries?: number;
  /** How long an unwrapped data key may be reused after it was unwrapped, in ms. Default 300000 (5 min). */
  readonly ttlMs?: number;
  /** Called on every hit, miss and eviction (for metrics); must not throw. */
  readonly onEvent?: (event: UnwrapCacheEvent) => void;
  /** The clock, in ms; for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** What the cache did for one unwrap, or why a data key left it. */
export type UnwrapCacheEvent =
  | { readonly type: 'hit' | 'miss' | 'coalesced'; readonly kid: string }
  | { readonly type: 'evict'; readonly kid: string; readonly reason: 'size' | 'ttl' | 'close' };

/** Counters of a {@link CachedKeys}, since it was made. */
export interface UnwrapCacheStats {
  /** Unwraps answered from the cache. */
  readonly hits: number;
  /** Unwraps passed to the keyring underneath (each one a KMS/HSM call for remote wrap). */
  readonly misses: number;
  /** Unwraps that joined one already under way for the same wrapped key. */
  readonly coalesced: number;
  /** Data keys wiped and dropped (size, TTL or close). */
  readonly evictions: number;
  /** Data keys held now. */
  readonly size: number;
  /** `(hits + coalesced) / all unwraps`, 0 before the first. */
  readonly hitRate: number;
}

/** A keyring with a bounded unwrap cache in front; see {@link cachedKeys}. */
export interface CachedKeys extends KeyEncryptionKeys {
  /** Hit, miss and eviction counts. */
  stats(): UnwrapCacheStats;
  /** Wipes every cached data key, then closes the keyring underneath. Unwraps afterwards fail. */
  close(): Promise<void>;
}

interface Held {
  readonly kid: string;
  readonly dek: Uint8Array;
  readonly expires: number;
}

interface Inflight {
  readonly promise: Promise<Uint8Array>;
  waiting: number;
  readonly take: (dek: Uint8Array) => Uint8Array;
}

/** Bytes as a string of one character per byte (a bijection, unlike any text decoding); fast for short arrays. */
function byteString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096)
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  return out;
}

/**
 * `value` if it is a positive whole number. Internal: the unwrap and record caches share it.
 * @throws VaultError `INVALID_ARGUMENT` with `path` otherwise.
 */
export function positive(path: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new VaultError('INVALID_ARGUMENT', `${path} must be a positive whole number`, { path });
  }
  return value;
}

/**
 * Puts a bounded unwrap cache in front of a keyring: remote wrap through a KMS/HSM (so a
 * record read is not a billed remote call), or a local {@link Keyring} (a hot read then skips
 * the unwrap). A cached data key is found by kid, wrapped bytes *and* context, so a wrapped key
 * moved to another record still fails. Concurrent unwraps of the same wrapped key make one
 * call; failures are not cached. Each caller gets its own copy of the data key (the envelope
 * wipes it after use); the cache wipes its copy when it evicts it (LRU past `maxEntries`, or
 * `ttlMs` after the unwrap) and on `close()`. Wraps pass straight through.
 *
 * @throws VaultError `INVALID_ARGUMENT` naming the argument: `keys` that is not a keyring,
 * `options` that is not an object, a `maxEntries` or `ttlMs` that is not a positive whole number
 * (`options.maxEntries`), an `onEvent` or `now` that is not a function (`options.now`).
 * @example
 * ```ts
 * const keys = cachedKeys(remoteKeys([{ kid: 'kms1', remote }]), { maxEntries: 10_000, ttlMs: 60_000 })
 * const vault = createVault({ keyring: keys, schema: connectionSchema })
 * keys.stats().hitRate
 * ```
 */
export function cachedKeys(keys: KeyEncryptionKeys, options?: UnwrapCacheOptions): CachedKeys {
  checkKeyEncryptionKeys(keys, 'keys');
  const checked = optionsArgument(options);
  // As checkUnwrapCacheOptions checks them (which imports this file's types: not called here).
  checkWholeNumber(checked.maxEntries, 'options.maxEntries', 1);
  checkWholeNumber(checked.ttlMs, 'options.ttlMs', 1);
  checkFunction(checked.onEvent, 'options.onEvent', true);
  checkFunction(checked.now, 'options.now', true);
  return cache(keys, checked);
}

// One closure over ~115 lines, on purpose: the LRU map, the calls in flight and the counters are
// this cache's private state, and `unwrap` (on every read's path) reaches them directly.
/** The cache of {@link cachedKeys}, its arguments checked. */
function cache(keys: KeyEncryptionKeys, options: UnwrapCacheOptions): CachedKeys {
  const maxEntries = positive('maxEntries', options.maxEntries ?? 1000);
  const ttlMs = positive('ttlMs', options.ttlMs ?? 300_000);
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => {});
  const held = new Map<string, Held>(); // in LRU order: least recently used first
  const inflight = new Map<string, Inflight>();
  let hits = 0;
  let misses = 0;
  let coalesced = 0;
  let evictions = 0;
  let closed = false;
  let nextSweep = now() + ttlMs;

  const evict = (cacheKey: string, entry: Held, reason: 'size' | 'ttl' | 'close') => {
    held.delete(cacheKey);
    entry.dek.fill(0);
    evictions += 1;
    emit({ type: 'evict', kid: entry.kid, reason });
  };
  const sweep = (at: number) => {
    nextSweep = at + Math.ceil(ttlMs / 2);
    for (const [cacheKey, entry] of held) if (entry.expires <= at) evict(cacheKey, entry, 'ttl');
  };
  /** Keeps `dek` (the keyring's own array, which nobody else is handed), or wipes it once closed. */
  const remember = (cacheKey: string, kid: string, dek: Uint8Array) => {
    if (closed) {
      dek.fill(0);
      return;
    }
    held.set(cacheKey, { kid, dek, expires: now() + ttlMs });
    while (held.size > maxEntries) {
      const [oldestKey, oldest] = held.entries().next().value as [string, Held];
      evict(oldestKey, oldest, 'size');
    }
  };

  const unwrap = (kid: string, wrapped: Uint8Array, context: Uint8Array): Awaitable<Uint8Array> => {
    if (closed) throw new VaultError('KEY_UNAVAILABLE', 'the unwrap cache is closed');
    const at = now();
    if (at >= nextSweep) sweep(at);
    // kid, then the wrapped key's length and bytes, then the context: no two inputs share a key.
    const cacheKey = `${kid}.${wrapped.length}.${byteString(wrapped)}${byteString(context)}`;
    const entry = held.get(cacheKey);
    if (entry !== undefined) {
      if (entry.expires > at) {
        held.delete(cacheKey);
        held.set(cacheKey, entry); // most recently used
        hits += 1;
        emit({ type: 'hit', kid });
        return Uint8Array.from(entry.dek);
      }
      evict(cacheKey, entry, 'ttl');
    }
    const pending = inflight.get(cacheKey);
    if (pending !== undefined) {
      coalesced += 1;
      emit({ type: 'coalesced', kid });
      pending.waiting += 1;
      return pending.promise.then(pending.take);
    }
    misses += 1;
    emit({ type: 'miss', kid });
    const result = keys.unwrap(kid, wrapped, context);
    if (result instanceof Uint8Array) {
      const copy = Uint8Array.from(result);
      remember(cacheKey, kid, result);
      return copy;
    }
    // The cache keeps the keyring's array; waiting callers copy a shared copy, the last one wipes it.
    const promise = Promise.resolve(result).then((dek) => {
      const shared = Uint8Array.from(dek);
      remember(cacheKey, kid, dek);
      return shared;
    });
    const call: Inflight = {
      promise,
      waiting: 1,
      take: (shared) => {
        const copy = Uint8Array.from(shared);
        call.waiting -= 1;
        if (call.waiting === 0) shared.fill(0);
        return copy;
      },
    };
    inflight.set(cacheKey, call);
    const done = () => inflight.delete(cacheKey);
    promise.then(done, done);
    return promise.then(call.take);
  };

  return {
    get primaryKid() {
      return keys.primaryKid;
    },
    get kids() {
      return keys.kids;
    },
    has: (kid) => keys.has(kid),
    wrap(kid, dek, context) {
      if (closed) throw new VaultError('KEY_UNAVAILABLE', 'the unwrap cache is closed');
      return keys.wrap(kid, dek, context);
    },
    unwrap,
    stats() {
      const all = hits + misses + coalesced;
      return { hits, misses, coalesced, evictions, size: held.size, hitRate: all === 0 ? 0 : (hits + coalesced) / all };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const [cacheKey, entry] of held) evict(cacheKey, entry, 'close');
      await keys.close?.();
    },
  };
}
