/** The key store of a table store: what the table does not hold, with fallbacks for missing capabilities. Internal. */
import { VaultError, type VaultStore } from '@credvault/core';

/** The key store, or `UNSUPPORTED` naming the option when there is none. */
export function keyStoreOf(keyStore: VaultStore | undefined): VaultStore {
  if (keyStore === undefined) {
    throw new VaultError(
      'UNSUPPORTED',
      'pass keyStore: the vault keeps its index key / tenant keys / leases there (the table holds only records)',
      { path: 'keyStore' },
    );
  }
  return keyStore;
}

function lacks(store: VaultStore, method: string): VaultError {
  return new VaultError('UNSUPPORTED', `the keyStore (${store.name}) has no ${method}`, { path: 'keyStore' });
}

/** `getMany` on the key store, or one `get` after another. */
export function getManyOf(store: VaultStore, keys: readonly string[]): Promise<(string | undefined)[]> {
  if (store.getMany !== undefined) return store.getMany(keys);
  return Promise.all(keys.map((key) => store.get(key)));
}

/** `setMany` on the key store, or one `set` after another. */
export async function setManyOf(store: VaultStore, entries: readonly (readonly [string, string])[]): Promise<void> {
  if (store.setMany !== undefined) return store.setMany(entries);
  for (const [key, value] of entries) await store.set(key, value);
}

/** `compareAndSetMany` on the key store, or one `compareAndSet` after another. */
export async function compareAndSetManyOf(
  store: VaultStore,
  entries: readonly (readonly [string, string, string])[],
): Promise<boolean[]> {
  if (store.compareAndSetMany !== undefined) return store.compareAndSetMany(entries);
  const cas = store.compareAndSet;
  if (cas === undefined) throw lacks(store, 'compareAndSet');
  const out: boolean[] = [];
  for (const [key, expected, next] of entries) out.push(await cas.call(store, key, expected, next));
  return out;
}

/** `replacePrefixMany` on the key store, or a read and a compare-and-set of each whole value. */
export async function replacePrefixManyOf(
  store: VaultStore,
  entries: readonly (readonly [string, string, string])[],
): Promise<boolean[]> {
  if (store.replacePrefixMany !== undefined) return store.replacePrefixMany(entries);
  const cas = store.compareAndSet;
  if (cas === undefined) throw lacks(store, 'compareAndSet');
  const out: boolean[] = [];
  for (const [key, prefix, next] of entries) {
    const value = await store.get(key);
    const matches = prefix !== '' && value?.startsWith(prefix) === true;
    out.push(matches && (await cas.call(store, key, value, next + (value as string).slice(prefix.length))));
  }
  return out;
}

/** `count` on the key store, or its entries counted. */
export async function countOf(store: VaultStore, prefix: string): Promise<number> {
  if (store.count !== undefined) return store.count(prefix);
  if (store.entries === undefined) throw lacks(store, 'entries');
  let n = 0;
  for await (const _ of store.entries(prefix)) n += 1;
  return n;
}
