import type { VaultStore } from '@credvault/core';
import type { Env } from './key-providers.js';
import { readSpecFile, resolveStoreSpec, type StoreSources } from './store-source.js';
import { openStore, openTableStore, type StoreSpecOptions } from './store-spec.js';
import { type TableFlags, tableSpecOf } from './table-flags.js';

/** The store flags of a command, as parsed: where the store is, and the table in it if any. */
export interface StoreFlags extends StoreSources, TableFlags {
  /** `--namespace`: the records of a table are this namespace's. */
  readonly namespace?: string;
  /** `--timeout`: Redis and PostgreSQL operation timeout, in ms. */
  readonly timeout?: number;
}

/**
 * The store a command works on, from its parsed flags: `--store` / `--store-file` /
 * `CREDVAULT_STORE` alone (a credvault store), or with `--table` a table store over the user's
 * table in that database, its vault records in `--key-store` (or the one line of `--key-store-file`). The table flags are checked
 * first, so a usage error comes before any connection. Closing the store closes the key store too.
 * @throws VaultError `INVALID_ARGUMENT` for bad flags or specs (exit 2); `UNSUPPORTED` naming a
 *   package to install
 */
export async function openStoreFromFlags(
  flags: StoreFlags,
  options: StoreSpecOptions = {},
  env: Env = process.env,
): Promise<VaultStore> {
  const table = tableSpecOf(flags);
  const spec = await resolveStoreSpec(flags, env);
  const opts = { ...options, ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }) };
  if (table === undefined) return openStore(spec, opts);
  const keyStoreSpec =
    table.keyStoreFile === undefined
      ? table.keyStore
      : await readSpecFile(table.keyStoreFile, 'keyStoreFile', 'key store');
  const keyStore = keyStoreSpec === undefined ? undefined : await openStore(keyStoreSpec, opts);
  let store: VaultStore;
  try {
    store = await openTableStore(spec, table, { ...opts, namespace: flags.namespace ?? 'default', keyStore });
  } catch (error) {
    await keyStore?.close?.();
    throw error;
  }
  return keyStore === undefined ? store : closingBoth(store, keyStore);
}

/** `store`, whose `close` also closes `keyStore` (a table store never closes its key store). */
function closingBoth(store: VaultStore, keyStore: VaultStore): VaultStore {
  const close = async () => {
    try {
      await store.close?.();
    } finally {
      await keyStore.close?.();
    }
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'close') return close;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
