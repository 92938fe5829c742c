import { VaultError, type VaultStore } from '@credvault/core';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';

/** Options for opening a store from the command line. */
export interface StoreSpecOptions {
  /** Redis operation timeout, in ms. */
  readonly timeout?: number;
  /** Open SQLite read-only (status, verify, dry runs). */
  readonly readOnly?: boolean;
}

/**
 * Opens `sqlite:<path>` or `redis://host:port` (`rediss://` for TLS).
 * @throws VaultError `INVALID_ARGUMENT` for anything else.
 */
export function openStore(spec: string, options: StoreSpecOptions = {}): VaultStore {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new VaultError('INVALID_ARGUMENT', 'sqlite store needs a path: sqlite:./vault.db');
    return sqliteStore({ path, readOnly: options.readOnly === true });
  }
  if (/^rediss?:\/\/[^/]/.test(spec)) {
    return redisStore({ url: spec, ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
  }
  throw new VaultError('INVALID_ARGUMENT', 'the store must be sqlite:<path> or redis://host:port', { path: 'store' });
}
