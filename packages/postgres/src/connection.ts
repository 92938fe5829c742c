import { VaultError } from '@credvault/core';
import pg from 'pg';
import { redactUrl } from './errors.js';

/** Where the store connects: a URL (the store creates and owns a pool) or your own `pg.Pool`. */
export type PostgresConnection =
  | {
      /** `postgres://user:password@host:port/database`; `?sslmode=...` works as in `pg`. */
      readonly url: string;
    }
  | {
      /** Your pool, shared with your application. The store never ends it. */
      readonly pool: pg.Pool;
    };

/** Where a URL names the store's table (`?table=...&schema=...`, e.g. on the CLI); the URL without them. */
export interface UrlTable {
  readonly connection: PostgresConnection;
  readonly table?: string;
  readonly schema?: string;
}

/** Takes `table` and `schema` out of a store URL's query, so that `pg` never sees them. */
export function tableFromUrl(connection: PostgresConnection): UrlTable {
  if (!('url' in connection) || typeof connection.url !== 'string') return { connection };
  let parsed: URL;
  try {
    parsed = new URL(connection.url);
  } catch {
    return { connection }; // openPool reports it
  }
  const [table, schema] = [parsed.searchParams.get('table'), parsed.searchParams.get('schema')];
  if (table === null && schema === null) return { connection };
  parsed.searchParams.delete('table');
  parsed.searchParams.delete('schema');
  return {
    connection: { url: parsed.toString() },
    ...(table === null ? {} : { table }),
    ...(schema === null ? {} : { schema }),
  };
}

/** The pool a store queries through, and whether it is the store's to end. */
export interface OpenedPool {
  readonly pool: pg.Pool;
  readonly owned: boolean;
  /** The server for messages: host, port and database, never the password. */
  readonly where: string;
}

/** Settings for a pool the store creates. */
export interface PoolSettings {
  readonly ssl: pg.PoolConfig['ssl'] | undefined;
  readonly timeout: number;
  readonly max: number;
}

/** Opens (or adopts) the pool of a store. */
export function openPool(connection: PostgresConnection, settings: PoolSettings): OpenedPool {
  if ('pool' in connection && connection.pool !== undefined) {
    if (typeof connection.pool.query !== 'function' || typeof connection.pool.connect !== 'function') {
      throw new VaultError('INVALID_ARGUMENT', 'pool must be a pg.Pool', { path: 'pool' });
    }
    const o = connection.pool.options as pg.PoolConfig;
    const where = o.connectionString
      ? redactUrl(o.connectionString)
      : `postgres://${o.host ?? 'localhost'}:${o.port ?? 5432}/${o.database ?? ''}`;
    return { pool: connection.pool, owned: false, where };
  }
  const url = (connection as { url?: unknown }).url;
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new VaultError('INVALID_ARGUMENT', 'url must be a postgres:// or postgresql:// URL', { path: 'url' });
  }
  const pool = new pg.Pool({
    connectionString: url,
    ...(settings.ssl === undefined ? {} : { ssl: settings.ssl }),
    max: settings.max,
    connectionTimeoutMillis: settings.timeout,
    statement_timeout: settings.timeout, // the server cancels a statement that runs longer
    query_timeout: settings.timeout + 1000, // the client gives up if the server does not answer at all
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  pool.on('error', () => {}); // an idle connection dropped by the server: the next query reports it
  return { pool, owned: true, where: redactUrl(url) };
}

/** Whether every connection of `pool` is checked out and callers are waiting for one. */
export function poolExhausted(pool: pg.Pool): boolean {
  const max = (pool.options as pg.PoolConfig).max ?? 10;
  return pool.totalCount >= max && pool.idleCount === 0;
}

/** A query with a client-side read timeout (`pg` honours `query_timeout` per query; its types omit it). */
export function timed(text: string, values: unknown[] | undefined, ms: number): pg.QueryConfig {
  const config = { text, values, query_timeout: ms };
  return config as pg.QueryConfig;
}

/**
 * Whether `error` leaves the connection it came from unusable: no SQLSTATE (a dropped socket, a
 * client-side timeout, "Connection terminated unexpectedly"), or a server error that ends the
 * session (severity FATAL or PANIC, e.g. 57P01 when the server shuts down). A plain SQL error
 * (constraint, statement timeout, read-only, ...) leaves it usable.
 */
export function breaksConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return severity === 'FATAL' || severity === 'PANIC';
}

/** A client checked out of a pool, with an `'error'` listener for as long as it is out. */
export interface CheckedOut {
  readonly client: pg.PoolClient;
  /**
   * Gives the client back and removes the listener. The pool discards it (`release(err)`) when
   * `broken` is given or its connection reported an error while it was out.
   */
  release(broken?: Error): void;
}

/**
 * Checks a client out of `pool` within `ms` and listens for its errors until it is released: `pg`
 * emits `'error'` on a client whose connection drops (server stopped, restarted, network cut), and
 * on a checked-out client without a listener that is an uncaught exception, which ends the process.
 * The pool's own listener covers idle clients only. A client that arrives after the caller gave up
 * is released at once, so a statement is never sent after its caller was told it failed.
 */
export function acquire(pool: pg.Pool, ms: number): Promise<CheckedOut> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`no connection within ${ms} ms`));
    }, ms);
    // The callback form runs as the pool hands the client out, so the listener is attached before
    // any socket event can reach it (the pool removes its idle listener at that moment).
    pool.connect((error, client) => {
      if (error !== undefined && error !== null) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
        return;
      }
      const checked = client as pg.PoolClient;
      if (settled) return checked.release();
      settled = true;
      clearTimeout(timer);
      let failed: Error | undefined;
      const onError = (cause: Error) => {
        failed ??= cause; // the query in flight rejects with it too; the client is not reused
      };
      checked.on('error', onError);
      let released = false;
      resolve({
        client: checked,
        release(broken) {
          if (released) return;
          released = true;
          checked.release(broken ?? failed); // the pool's idle listener is back before ours goes
          checked.removeListener('error', onError);
        },
      });
    });
  });
}

/** Runs `work` on a client of `pool`; a client whose connection failed is discarded, not reused. */
export async function withClient<T>(
  pool: pg.Pool,
  ms: number,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const checked = await acquire(pool, ms);
  let broken: Error | undefined;
  try {
    return await work(checked.client);
  } catch (error) {
    if (breaksConnection(error)) broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    checked.release(broken);
  }
}
