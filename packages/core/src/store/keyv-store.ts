import { Keyv } from 'keyv';
import { invalidArgument, isRecordLike, storeCall, VaultError } from '../errors/index.js';
import type { VaultStore } from './contract.js';

/**
 * The store contract over any Keyv instance: in-memory by default, or any Keyv adapter
 * (`@keyv/sqlite`, `@keyv/redis`, `@keyv/postgres`, ...).
 *
 * It turns Keyv's `throwOnErrors` on: by default Keyv answers a failed `get` with
 * `undefined`, which a vault must never mistake for "no such record".
 *
 * Keyv has no compare-and-set, so over this store concurrent writers of one record are
 * last-writer-wins; `@credvault/sqlite` and `@credvault/redis` add it. Iteration works where
 * Keyv can iterate (in-memory, SQLite, Redis, Postgres, ...).
 *
 * The namespace rule: Keyv stores a key under `<its namespace>:<key>` but leaves a key that
 * already starts with `<its namespace>:` as it is, while its iterator always strips the first
 * `:`-separated segment. A key that would not iterate back as itself (a vault namespace equal
 * to Keyv's, `new Keyv()` under the vault namespace `keyv`, a Keyv namespace holding `:`, Keyv
 * prefixing without a namespace) is refused, so no record can be stored that a scan (`status`,
 * `rotate`, `verify`, `entries`, `shred`) would not see. A scan checks too that the first key
 * Keyv's iterator yields reads back through `get`.
 *
 * @param keyv - the Keyv instance to use; a new in-memory one when omitted
 * @throws VaultError `INVALID_ARGUMENT` (path `keyv`) for anything but a Keyv instance; from its
 * methods, `INVALID_ARGUMENT` for a key that breaks the namespace rule and `STORE_FAILED` for a
 * failure of Keyv or a scan whose keys do not read back.
 */
export function keyvStore(keyv: Keyv = new Keyv()): VaultStore {
  if (!isRecordLike(keyv) || typeof keyv.get !== 'function') throw invalidArgument('keyv', 'a Keyv instance');
  keyv.throwOnErrors = true;
  const checked = (key: string): string => {
    checkRoundTrip(keyv, key);
    return key;
  };
  const store: VaultStore = {
    name: 'keyv',
    get: async (key) => fromKeyv(await storeCall('get', () => keyv.get(checked(key)))),
    set: (key, value) =>
      storeCall('set', async () => {
        if (!(await keyv.set(checked(key), value))) throw new Error('keyv.set returned false');
      }),
    delete: (key) => storeCall('delete', () => keyv.delete(checked(key))),
    has: (key) => storeCall('has', () => keyv.has(checked(key))),
    close: () => storeCall('close', () => keyv.disconnect()),
  };
  const iterator = keyv.iterator;
  if (typeof iterator === 'function') {
    store.entries = async function* entries(prefix) {
      checkRoundTrip(keyv, prefix);
      const all = iterator.call(keyv, undefined) as AsyncIterator<[string, unknown]>;
      const guard = new ReadBackGuard(keyv);
      while (true) {
        const step = await storeCall('iterate', () => all.next());
        if (step.done === true) return guard.end();
        const [key, value] = step.value;
        if (typeof key !== 'string') continue;
        await guard.check(key);
        if (key.startsWith(prefix)) yield [key, fromKeyv(value) as string];
      }
    };
  }
  return store;
}

/** A stored value as the vault's string (a value that is not a string fails to open later). */
function fromKeyv(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Refuses a key that Keyv's iterator would not give back as itself (see {@link keyvStore}).
 * @throws VaultError `INVALID_ARGUMENT`.
 */
function checkRoundTrip(keyv: Keyv, key: string): void {
  if (!keyv.useKeyPrefix) return;
  const namespace = keyv.namespace;
  const stored = namespace ? (key.startsWith(`${namespace}:`) ? key : `${namespace}:${key}`) : key;
  if (stored.split(':').slice(1).join(':') === key) return;
  throw new VaultError(
    'INVALID_ARGUMENT',
    `keyvStore: the Keyv namespace ${namespace ? `"${namespace}"` : '(none)'} does not keep the store key "${key.split(':')[0]}:…" apart: ` +
      'Keyv would store it unprefixed and its iterator would strip its first segment, hiding the record from status, rotate, verify and entries. ' +
      "Give Keyv a namespace without ':' that no vault namespace equals, e.g. new Keyv({ namespace: 'credvault' })",
    { path: 'store' },
  );
}

/** How many keys of one scan may fail to read back (deleted meanwhile) before the scan fails. */
const READ_BACK_TRIES = 3;

/** The first key Keyv's iterator yields must read back through `get`: else Keyv's key layout is not the one this store assumes. */
class ReadBackGuard {
  #confirmed = false;
  #misses = 0;
  constructor(readonly keyv: Keyv) {}

  async check(key: string): Promise<void> {
    if (this.#confirmed) return;
    const keyv = this.keyv;
    const value: unknown = await storeCall('get', () => keyv.get(key));
    if (value !== undefined && value !== null) this.#confirmed = true;
    else if (++this.#misses >= READ_BACK_TRIES) this.fail(key);
  }

  end(): void {
    if (!this.#confirmed && this.#misses > 0) this.fail(undefined);
  }

  fail(key: string | undefined): never {
    throw new VaultError(
      'STORE_FAILED',
      `keyvStore: ${key === undefined ? 'a key' : `the key "${key.split(':')[0]}:…"`} that Keyv's iterator yields does not read back through get: ` +
        'its key layout is not the one this store assumes (namespace, useKeyPrefix or adapter), so a scan would miss records; nothing was changed',
    );
  }
}
