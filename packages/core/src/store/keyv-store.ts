import { Keyv } from 'keyv';
import { invalidArgument, isRecordLike, storeCall } from '../errors/index.js';
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
 * @param keyv - the Keyv instance to use; a new in-memory one when omitted
 * @throws VaultError `INVALID_ARGUMENT` (path `keyv`) for anything but a Keyv instance.
 */
export function keyvStore(keyv: Keyv = new Keyv()): VaultStore {
  if (!isRecordLike(keyv) || typeof keyv.get !== 'function') throw invalidArgument('keyv', 'a Keyv instance');
  keyv.throwOnErrors = true;
  const store: VaultStore = {
    name: 'keyv',
    get: (key) =>
      storeCall('get', async () => {
        const value: unknown = await keyv.get(key);
        if (value === undefined || value === null) return undefined;
        return typeof value === 'string' ? value : JSON.stringify(value); // not an envelope: fails to open
      }),
    set: (key, value) =>
      storeCall('set', async () => {
        if (!(await keyv.set(key, value))) throw new Error('keyv.set returned false');
      }),
    delete: (key) => storeCall('delete', () => keyv.delete(key)),
    has: (key) => storeCall('has', () => keyv.has(key)),
    close: () => storeCall('close', () => keyv.disconnect()),
  };
  const iterator = keyv.iterator;
  if (typeof iterator === 'function') {
    store.entries = async function* entries(prefix) {
      const all = iterator.call(keyv, undefined) as AsyncIterator<[string, unknown]>;
      while (true) {
        const step = await storeCall('iterate', () => all.next());
        if (step.done === true) return;
        const [key, value] = step.value;
        if (typeof key === 'string' && key.startsWith(prefix)) {
          yield [key, typeof value === 'string' ? value : JSON.stringify(value)];
        }
      }
    };
  }
  return store;
}
