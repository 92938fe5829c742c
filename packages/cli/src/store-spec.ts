import { VaultError, type VaultStore } from '@credvault/core';
import { loadPackage } from './load-package.js';
import type { TableSpec } from './table-flags.js';

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

/** What a table store needs beside its table: the namespace of its records and the key store. */
export interface TableStoreExtras extends StoreSpecOptions {
  readonly namespace: string;
  readonly keyStore: VaultStore | undefined;
}

/** The options of `sqliteTableStore` (`@credvault/sqlite`) that the CLI passes. */
interface SqliteTableOptions {
  readonly path: string;
  readonly readOnly: boolean;
  readonly table: string;
  readonly idColumn: string;
  readonly envelopeColumn: string;
  readonly namespace: string;
  readonly indexColumns: Readonly<Record<string, string>>;
  readonly keyStore?: VaultStore;
}

/**
 * Opens a table store over the user's `table` in the database of `spec`: `postgresTableStore`
 * of `@credvault/postgres` for `postgres://` (the URL without `?table=` or `?schema=`, which
 * name a credvault store's own table), `sqliteTableStore` of `@credvault/sqlite` for `sqlite:`.
 * @throws VaultError `INVALID_ARGUMENT` for another scheme or a URL naming a table;
 *   `UNSUPPORTED` naming the package when it is missing or has no table store
 */
export async function openTableStore(spec: string, table: TableSpec, extras: TableStoreExtras): Promise<VaultStore> {
  const common = {
    table: table.table,
    idColumn: table.idColumn,
    envelopeColumn: table.envelopeColumn,
    namespace: extras.namespace,
    indexColumns: table.indexColumns,
    ...(extras.keyStore === undefined ? {} : { keyStore: extras.keyStore }),
  };
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new VaultError('INVALID_ARGUMENT', 'sqlite store needs a path: sqlite:./vault.db');
    const loaded: object = await loadPackage(
      '@credvault/sqlite',
      storeNeed('sqlite:'),
      () => import('@credvault/sqlite'),
    );
    const make = (loaded as { sqliteTableStore?: unknown }).sqliteTableStore;
    if (typeof make !== 'function') {
      throw new VaultError(
        'UNSUPPORTED',
        '--table with a sqlite: store needs a @credvault/sqlite with sqliteTableStore',
        {
          path: 'table',
        },
      );
    }
    const options: SqliteTableOptions = { path, readOnly: extras.readOnly === true, ...common };
    return (make as (options: SqliteTableOptions) => VaultStore)(options);
  }
  if (/^postgres(ql)?:\/\/[^/]/.test(spec)) {
    if (/[?&](table|schema)=/.test(spec)) {
      throw new VaultError(
        'INVALID_ARGUMENT',
        'with --table, the store URL must not name a table (?table=, ?schema=)',
        {
          path: 'store',
        },
      );
    }
    const { postgresTableStore } = await loadPackage(
      '@credvault/postgres',
      storeNeed('postgres://'),
      () => import('@credvault/postgres'),
    );
    return postgresTableStore({
      url: spec,
      ...common,
      ...(extras.timeout === undefined ? {} : { timeout: extras.timeout }),
    });
  }
  throw new VaultError('INVALID_ARGUMENT', '--table needs a postgres:// or sqlite:<path> store', { path: 'store' });
}
