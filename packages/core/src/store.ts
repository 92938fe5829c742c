/**
 * The storage contract the vault writes through. Values are opaque strings (sealed
 * envelopes); keys are `<namespace>:<id>`. Optional methods are capabilities: the vault uses
 * them when present and says what it cannot guarantee when not.
 */
export interface VaultStore {
  /** A short name for messages, e.g. `keyv`, `sqlite`, `redis`. */
  readonly name: string;
  /** The stored value, or `undefined` when there is none. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, replacing what was there. */
  set(key: string, value: string): Promise<void>;
  /** Removes `key`; whether it existed. */
  delete(key: string): Promise<boolean>;
  /** Whether `key` holds a value. */
  has(key: string): Promise<boolean>;
  /** Every `[key, value]` whose key starts with `prefix`, each once. Absent when the store cannot iterate. */
  entries?(prefix: string): AsyncIterable<readonly [string, string]>;
  /** Values of many keys at once, in order. */
  getMany?(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Stores many values at once. */
  setMany?(entries: readonly (readonly [string, string])[]): Promise<void>;
  /**
   * Atomically replaces the value of `key` with `next` only if it is still `expected`
   * (`undefined`: absent; `next` `undefined`: delete). Whether it did.
   */
  compareAndSet?(key: string, expected: string | undefined, next: string | undefined): Promise<boolean>;
  /** Releases connections and handles. */
  close?(): Promise<void>;
}
