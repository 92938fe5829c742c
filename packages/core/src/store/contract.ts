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
  /**
   * Many replace-if-equal operations in one round trip, each atomic on its own: for each
   * `[key, expected, next]`, whether `key` still held `expected` and now holds `next`.
   * The keys of one call must be distinct: a store refuses a repeated key (check with
   * `checkDistinctKeys`) before it writes anything.
   * @throws `INVALID_ARGUMENT` (path `entries`) when two entries share a key
   */
  compareAndSetMany?(entries: readonly (readonly [string, string, string])[]): Promise<boolean[]>;
  /**
   * Many replace-the-start operations in one round trip, each atomic on its own: for each
   * `[key, prefix, next]`, whether the value of `key` started with `prefix` (not empty) and now
   * starts with `next` instead, the rest of it as it was. What a rotation writes where a store
   * has it: only an envelope's head changes, and the rest need not travel. Keys distinct, as for
   * `compareAndSetMany`.
   * @throws `INVALID_ARGUMENT` (path `entries`) when two entries share a key
   */
  replacePrefixMany?(entries: readonly (readonly [string, string, string])[]): Promise<boolean[]>;
  /**
   * How many keys start with `prefix`, for progress reporting. Exact on SQLite; on Redis an
   * estimate that can only overcount, and only while the server resizes its hash table
   * (SCAN may then return a key twice), so that counting needs no memory per key.
   */
  count?(prefix: string): Promise<number>;
  /**
   * Takes the lease `name` for `ttlMs` if nobody holds it: exclusive ownership, across
   * processes, of work that must run once. `undefined` when another owner holds it.
   */
  lease?(name: string, ttlMs: number): Promise<Lease | undefined>;
  /** Releases connections and handles. */
  close?(): Promise<void>;
}

/** A store with every capability but leases: what `@credvault/sqlite`, `@credvault/redis` and `@credvault/postgres` provide. */
export type CompleteStore = VaultStore &
  Required<
    Pick<
      VaultStore,
      | 'entries'
      | 'getMany'
      | 'setMany'
      | 'compareAndSet'
      | 'compareAndSetMany'
      | 'replacePrefixMany'
      | 'count'
      | 'close'
    >
  >;

/** A held lease. It ends when released or when its time runs out, whichever comes first. */
export interface Lease {
  /** The leased name. */
  readonly name: string;
  /** Random owner token: only the holder of this lease can release or extend it. */
  readonly token: string;
  /** Releases the lease if this owner still holds it; whether it did. */
  release(): Promise<boolean>;
  /** Extends the lease to `ttlMs` from now if this owner still holds it; whether it did. */
  extend(ttlMs: number): Promise<boolean>;
}

/**
 * The options every table store shares (`postgresTableStore`, `sqliteTableStore`): a store over
 * a table the application already has, whose rows hold the records of one namespace.
 */
export interface TableStoreOptions {
  /** The application's table, e.g. `connections`. */
  readonly table: string;
  /** The row's primary key column (or a column with a single-column unique index): its text form is the record id. */
  readonly idColumn: string;
  /** A nullable text column holding each row's `cv1` envelope (NULL: no record). */
  readonly envelopeColumn: string;
  /** The vault namespace whose records live in the table. Default `default`. */
  readonly namespace?: string;
  /** Blind-index field → a nullable text column holding its token (the base64url HMAC). */
  readonly indexColumns?: Readonly<Record<string, string>>;
  /**
   * Where every other key goes: the index key, tenant keys, leases, other namespaces. Without
   * it, those operations fail with `UNSUPPORTED`. The table store never closes it.
   */
  readonly keyStore?: VaultStore;
  /** `set` of an id without a row: `refuse` (`NOT_FOUND`, the default) or `insert` a row of id and envelope. */
  readonly missingRows?: 'refuse' | 'insert';
}
