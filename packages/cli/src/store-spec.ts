import { VaultError, type VaultStore } from '@credvault/core';
import { loadPackage } from './load-package.js';

/** What a store package is needed for, in its error. */
const storeNeed = (scheme: string) => ({ flag: `--store ${scheme}`, path: 'store' });

/** Options for opening a store from the command line. */
export interface StoreSpecOptions {
  /** Redis and PostgreSQL operation timeout, in ms. */
  readonly timeout?: number;
  /** Open SQLite read-only (status, verify, dry runs). */
  readonly readOnly?: boolean;
}

/**
 * Opens `sqlite:<path>`, `redis://host:port` (`rediss://` for TLS), a Redis Cluster as
 * `redis+cluster://host:port,host:port` (`rediss+cluster://` for TLS), or
 * `postgres://user:password@host:port/database` (`?sslmode=require` for TLS; table `credvault`
 * in schema `public` unless the URL says `?table=...&schema=...`). The store package of the
 * scheme (`@credvault/sqlite`, `@credvault/redis`,
 * `@credvault/postgres`) is loaded here, on demand.
 * @throws VaultError `INVALID_ARGUMENT` for anything else; `UNSUPPORTED` naming the package to
 *   install when the scheme's store package is missing or fails to load
 */
export async function openStore(spec: string, options: StoreSpecOptions = {}): Promise<VaultStore> {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new VaultError('INVALID_ARGUMENT', 'sqlite store needs a path: sqlite:./vault.db');
    const { sqliteStore } = await loadPackage(
      '@credvault/sqlite',
      storeNeed('sqlite:'),
      () => import('@credvault/sqlite'),
    );
    return sqliteStore({ path, readOnly: options.readOnly === true });
  }
  if (/^rediss?(\+cluster)?:\/\/[^/]/.test(spec)) {
    const scheme = spec.slice(0, spec.indexOf('//'));
    const { redisStore } = await loadPackage(
      '@credvault/redis',
      storeNeed(`${scheme}//`),
      () => import('@credvault/redis'),
    );
    return redisStore({ url: spec, ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
  }
  if (/^postgres(ql)?:\/\/[^/]/.test(spec)) {
    const { postgresStore } = await loadPackage(
      '@credvault/postgres',
      storeNeed('postgres://'),
      () => import('@credvault/postgres'),
    );
    return postgresStore({ url: spec }, options.timeout === undefined ? {} : { timeout: options.timeout });
  }
  throw new VaultError(
    'INVALID_ARGUMENT',
    'the store must be sqlite:<path> or redis://host:port, or redis+cluster://host:port,host:port, or postgres://user@host/database',
    { path: 'store' },
  );
}
