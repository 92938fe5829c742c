import { positive } from '../keys/index.js';

/** Options of a vault's record cache (`createVault({ recordCache })`). */
export interface RecordCacheOptions {
  /** Most records held at once; the least recently used goes first. Default 1000. */
  readonly maxEntries?: number;
  /** How long a record may be served from the cache after it was opened or written, in ms. Default 300000 (5 min). */
  readonly ttlMs?: number;
  /** The clock, in ms; for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** One cached record: the envelope it came from and, once opened, what opening it gave. */
interface Entry<T, D> {
  readonly envelope: string;
  /** What the vault wrote (set until the first read decodes it). */
  draft: D | undefined;
  /** What opening the envelope gave. */
  value: T | undefined;
  readonly expires: number;
}

/**
 * Remembers, per record id, the envelope text last opened or written and what it opens to, so
 * that reading the same text again skips the unwrap, the decryption, the strict reader and the
 * validation. A read still loads the record from the store and is served from the cache only
 * when the stored text is exactly the remembered one: opening is a function of (keys, namespace,
 * id, text) with the keys fixed for the vault's life, so the answer is the one opening would
 * give, never a stale record. What the vault writes can be remembered as its text (`draft`),
 * opened on the first read. Expired entries are dropped by a sweep every `ttlMs / 2`; after
 * `close()` nothing is held or answered. Internal; `createVault` decides when a vault has one.
 *
 * @typeParam T - what opening gives (handed out through `copy`, so callers never share it)
 * @typeParam D - what a write leaves to open later
 */
export class RecordCache<T, D> {
  readonly #entries = new Map<string, Entry<T, D>>(); // least recently used first
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #nextSweep: number;
  #closed = false;

  /** @throws VaultError `INVALID_ARGUMENT` for a `maxEntries` or `ttlMs` that is not a positive whole number. */
  constructor(options: RecordCacheOptions = {}) {
    this.#maxEntries = positive('recordCache.maxEntries', options.maxEntries ?? 1000);
    this.#ttlMs = positive('recordCache.ttlMs', options.ttlMs ?? 300_000);
    this.#now = options.now ?? Date.now;
    this.#nextSweep = this.#now() + this.#ttlMs;
  }

  /** Records held now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * What is remembered for `id` if `envelope` is exactly its text and it has not expired:
   * the opened value, or the draft a write left (then {@link opened} is due); else `undefined`.
   */
  lookup(id: string, envelope: string): { readonly value: T } | { readonly draft: D } | undefined {
    const at = this.#sweep();
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    if (entry.envelope !== envelope || entry.expires <= at) return undefined;
    this.#entries.set(id, entry); // most recently used
    if (entry.value !== undefined) return { value: entry.value };
    return entry.draft === undefined ? undefined : { draft: entry.draft };
  }

  /** Remembers what `envelope` opened to. */
  opened(id: string, envelope: string, value: T): void {
    const entry = this.#entries.get(id);
    if (entry !== undefined && entry.envelope === envelope) {
      entry.value = value;
      entry.draft = undefined;
      return;
    }
    this.#put(id, { envelope, draft: undefined, value, expires: this.#now() + this.#ttlMs });
  }

  /** Remembers what this vault just wrote under `id`, to be opened on the first read. */
  wrote(id: string, envelope: string, draft: D): void {
    this.#put(id, { envelope, draft, value: undefined, expires: this.#now() + this.#ttlMs });
  }

  /** Forgets `id` (deleted, or written with an outcome not known). */
  forget(id: string): void {
    this.#entries.delete(id);
  }

  /** Forgets everything and holds nothing from now on (what is still in flight is not kept). */
  close(): void {
    this.#closed = true;
    this.#entries.clear();
  }

  #put(id: string, entry: Entry<T, D>): void {
    if (this.#closed) return;
    this.#sweep();
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Drops every expired entry, at most every `ttlMs / 2`; the time now. */
  #sweep(): number {
    const at = this.#now();
    if (at < this.#nextSweep) return at;
    this.#nextSweep = at + Math.ceil(this.#ttlMs / 2);
    for (const [id, entry] of this.#entries) if (entry.expires <= at) this.#entries.delete(id);
    return at;
  }
}

const NOT_PLAIN: unique symbol = Symbol('not plain data');
/** Deeper than any record of plain data goes; a deeper (or cyclic) value is not cached. */
const MAX_DEPTH = 64;

/**
 * A copy of a record as valibot hands it out (plain objects, arrays, Dates and primitives),
 * sharing nothing with it; `undefined` for anything else anywhere inside (a class instance, a
 * subclass of Array or Date, a frozen or sealed object, a function, a cycle), which the vault
 * then does not cache.
 */
export function copyRecord<T>(value: T): T | undefined {
  const copied = copyValue(value, 0);
  return copied === NOT_PLAIN ? undefined : (copied as T);
}

function copyValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? NOT_PLAIN : value;
  const proto = Object.getPrototypeOf(value);
  if (depth > MAX_DEPTH || !Object.isExtensible(value)) return NOT_PLAIN;
  if (proto === Date.prototype) return new Date((value as Date).getTime());
  if (proto === Array.prototype) {
    const array = value as unknown[];
    const out: unknown[] = new Array(array.length);
    for (let i = 0; i < array.length; i++) {
      const item = copyValue(array[i], depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out[i] = item;
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) {
    const item = copyValue((value as Record<string, unknown>)[key], depth + 1);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    // defineProperty, not assignment: an own "__proto__" key stays a key.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    } else out[key] = item;
  }
  return out;
}
