import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { backendAvailable, type Hooks, onFreePort, useBackend } from './use-backend.js';

const exec = promisify(execFile);
/** Where Debian's `postgresql-15` package puts `initdb`, `pg_ctl` and `psql`. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
/** The superuser password of every test cluster (its `url` carries it). */
const PASSWORD = 'credvault-test-password';

/** A real PostgreSQL cluster started for tests. */
export interface PostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (password authentication over TCP). */
  readonly url: string;
  readonly port: number;
  /** The cluster's temp dir; its unix socket is here too (trusted, no password). */
  readonly dir: string;
  /** A URL to another database of this cluster (create it first with {@link PostgresServer.sql}). */
  urlFor(database: string): string;
  /** Runs SQL as the superuser through `psql` over the unix socket; its output (unaligned, tuples only). */
  sql(statement: string, database?: string): Promise<string>;
  /** Stops the server (`pg_ctl stop -m fast`). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data, after {@link PostgresServer.stop}. */
  restart(): Promise<void>;
  /**
   * Starts a hot-standby replica of this server (`pg_basebackup -R`, streaming): a real
   * read-only server. Its `url` has the same credentials; `destroy()` stops it too.
   */
  startStandby(): Promise<{ readonly url: string; stop(): Promise<void> }>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** Whether `initdb` and `pg_ctl` of PostgreSQL 15 are installed. */
export function hasPostgresServer(): boolean {
  return existsSync(join(POSTGRES_BIN, 'initdb')) && existsSync(join(POSTGRES_BIN, 'pg_ctl'));
}

/**
 * Decides whether PostgreSQL tests can run: yes when PostgreSQL 15 is installed; otherwise a
 * loud warning and a skip locally, and an error under CI (where `.ci/run` must have installed it).
 */
export function postgresAvailable(): boolean {
  if (hasPostgresServer()) return true;
  const message = `PostgreSQL is not installed (no ${POSTGRES_BIN}/initdb): PostgreSQL tests cannot run (apt-get install -y postgresql)`;
  return backendAvailable(false, 'POSTGRESQL', message);
}

/** initdb refuses to run as root: run the cluster as `nobody` then. */
const asRoot = () => process.getuid?.() === 0;

async function runAsOwner(bin: string, args: string[], cwd: string): Promise<string> {
  const [file, argv] = asRoot()
    ? ['runuser', ['-u', 'nobody', '--', join(POSTGRES_BIN, bin), ...args]]
    : [join(POSTGRES_BIN, bin), args];
  const { stdout } = await exec(file, argv, { cwd, env: { ...process.env, LC_ALL: 'C.UTF-8', PGTZ: 'UTC' } });
  return stdout;
}

/**
 * Creates a throwaway cluster (`initdb`, UTF-8, password authentication over TCP) in a temp
 * dir, starts it on a free loopback port with its unix socket in that dir, and waits until it
 * accepts connections. `destroy()` stops it and removes the dir.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), 'credvault-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  await writeFile(pwfile, `${PASSWORD}\n`);
  if (asRoot()) {
    await chown(dir, 65534, 65534);
    await chown(pwfile, 65534, 65534);
  }
  await runAsOwner(
    'initdb',
    [
      '-D',
      data,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${pwfile}`,
      '--no-sync',
    ],
    dir,
  );
  await rm(pwfile, { force: true });
  let port = 0; // chosen when the server starts, below
  const settings = (port: number) =>
    [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
      '-c shared_buffers=32MB',
    ].join(' ');
  const startAt = (cluster: string, at: number) =>
    runAsOwner('pg_ctl', ['-D', cluster, '-l', `${cluster}.log`, '-w', '-t', '30', '-o', settings(at), 'start'], dir);
  const stopAt = (cluster: string) =>
    runAsOwner('pg_ctl', ['-D', cluster, '-w', '-t', '30', '-m', 'fast', 'stop'], dir).then(
      () => {},
      () => {},
    );
  const start = async () => void (await startAt(data, port));
  const stop = () => stopAt(data);
  const standbys: string[] = [];
  const startStandby = async () => {
    const standby = join(dir, `standby-${standbys.length}`);
    standbys.push(standby);
    const args = [
      '-h',
      dir,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-D',
      standby,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ];
    await runAsOwner('pg_basebackup', args, dir);
    const standbyPort = await onFreePort(async (free) => {
      await startAt(standby, free);
      return free;
    });
    return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${standbyPort}/postgres`, stop: () => stopAt(standby) };
  };
  const sql = async (statement: string, database = 'postgres') =>
    (
      await exec(
        join(POSTGRES_BIN, 'psql'),
        ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-Atqc', statement],
        {
          env: { ...process.env, PGPASSWORD: '' },
        },
      )
    ).stdout.trim();
  port = await onFreePort(async (free) => {
    await startAt(data, free); // on another port if this one was taken meanwhile
    return free;
  });
  const urlFor = (database: string) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    port,
    dir,
    urlFor,
    sql,
    stop,
    restart: start,
    startStandby,
    async destroy() {
      await Promise.all(standbys.map(stopAt));
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL cluster for the tests of one file. */
export interface TestPostgres {
  /** False when PostgreSQL is not installed (tests skip; under CI this throws instead). */
  readonly available: boolean;
  /** Its URL (as the superuser, with the password), once `beforeAll` has run. */
  url(): string;
  /** The server itself, to run SQL, stop and restart it. */
  server(): PostgresServer;
}

/**
 * Starts a throwaway PostgreSQL cluster on a free loopback port before the file's tests and
 * removes it after them (as the user `nobody` when the tests run as root); see
 * {@link postgresAvailable} for what happens when PostgreSQL is missing.
 * @example
 * ```ts
 * const pg = usePostgresServer(vitest)
 * it.skipIf(!pg.available)('works on PostgreSQL', () => run(pg.url()))
 * ```
 */
export function usePostgresServer(hooks: Hooks): TestPostgres {
  const postgres = useBackend(hooks, {
    name: 'PostgreSQL',
    available: postgresAvailable(),
    start: startPostgresServer,
    stop: (server) => server.destroy(),
    stopTimeoutMs: 60_000,
  });
  return { available: postgres.available, server: postgres.get, url: () => postgres.get().url };
}
