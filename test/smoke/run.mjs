// The smoke suite: what a user gets from the registry, on every runtime of the matrix.
// Packs every package, installs the tarballs with plain `npm install` into a temp project (no
// workspace, no tsx, no source condition; sqlite3 compiles once and is shared by every runtime,
// it is N-API), starts Redis and PostgreSQL like the tests do, and runs program.mjs on SQLite,
// Redis and PostgreSQL under Node 20, 22, 24, Bun and Deno, each run opening what the previous
// runtimes sealed. The same project runs drizzle.mjs (@credvault/drizzle with drizzle-orm) on
// PostgreSQL through pg under every runtime, and on SQLite through the runtime's own SQLite
// (node:sqlite, bun:sqlite) where it has one. A second project checks keyv 6 (Node 22/24),
// public types without @types/node, and the CLI without any store package. Exits 1 on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { packAll, root } from './pack.mjs';

const here = join(root, 'test/smoke');
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const { startRedisServer, redisAvailable } = await import(join(root, 'packages/test-suite/dist/redis-server.js'));
const { startPostgresServer, postgresAvailable } = await import(
  join(root, 'packages/test-suite/dist/postgres-server.js')
);

/** The environment of a plain shell: nothing that pnpm or a parent npm script injected. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|INIT_CWD$|VITEST)/.test(k)),
);

const RUNTIMES = [
  { name: 'node20', command: [process.execPath] },
  { name: 'node22', command: [join(here, 'node_modules/node22/bin/node')] },
  { name: 'node24', command: [join(here, 'node_modules/node24/bin/node')] },
  { name: 'bun', command: [join(here, 'node_modules/bun/bin/bun.exe')] },
  { name: 'deno', command: [join(here, 'node_modules/deno/deno'), 'run', '--no-prompt'] },
];

/**
 * The least permissions Deno runs each store with (the README lists them): env for the keys;
 * SQLite: read (the sqlite3 package), ffi (its native addon, which then opens the database file
 * itself), sys (the addon loader); Redis and PostgreSQL: net.
 */
const DENO_PERMISSIONS = {
  sqlite: ['--allow-env', '--allow-read', '--allow-ffi', '--allow-sys'],
  redis: ['--allow-env', '--allow-net'],
  postgres: ['--allow-env', '--allow-net'],
};

/**
 * Where drizzle.mjs runs Drizzle: PostgreSQL (pg) on every runtime; SQLite through the runtime's
 * own driver (node:sqlite on Node 22/24 and Deno, bun:sqlite on Bun; Node 20 has none, and
 * better-sqlite3 is compiled per Node ABI, so it is not installed here), with the index key in
 * @credvault/sqlite (Deno: read and write for node:sqlite, ffi and sys for sqlite3).
 */
const DRIZZLE = {
  postgres: { runtimes: RUNTIMES.map((r) => r.name), deno: ['--allow-env', '--allow-net'] },
  sqlite: {
    runtimes: ['node22', 'node24', 'bun', 'deno'],
    deno: ['--allow-env', '--allow-read', '--allow-write', '--allow-ffi', '--allow-sys'],
  },
};

const failures = [];
function run(label, command, args, options) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...env, ...options.env },
    cwd: options.cwd,
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0)
    failures.push(`${label}: exit ${result.status ?? result.signal}\n${output || result.error?.message}`);
  return { ...result, output };
}

const dir = mkdtempSync(join(tmpdir(), 'credvault-smoke-'));
const servers = [];
try {
  for (const runtime of RUNTIMES) {
    if (!existsSync(runtime.command[0]))
      throw new Error(`${runtime.name} is not installed (${runtime.command[0]}): run pnpm install`);
  }
  const tarballs = packAll(join(dir, 'packs'));
  console.log(`[${elapsed()}] packed ${Object.keys(tarballs).length} packages`);

  // 1. The main project: core, every store, the CLI, with npm's own peer resolution (keyv 5).
  const app = join(dir, 'app');
  mkdirSync(app);
  const pick = (...names) => Object.fromEntries(names.map((n) => [n, `file:${tarballs[n]}`]));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'smoke-app',
      private: true,
      type: 'module',
      dependencies: {
        ...pick(
          '@credvault/core',
          '@credvault/sqlite',
          '@credvault/redis',
          '@credvault/postgres',
          '@credvault/worker-pool',
          '@credvault/cli',
          '@credvault/drizzle',
        ),
        'drizzle-orm': '^0.45.0',
        pg: '^8.16.3',
      },
    }),
  );
  execFileSync('cp', [join(here, 'program.mjs'), join(here, 'drizzle.mjs'), app]);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env, stdio: 'inherit' });
  console.log(`[${elapsed()}] installed the tarballs with npm (sqlite3 built once for every runtime)`);

  // 2. keyv 6, public types without @types/node, the CLI without store packages.
  const bare = join(dir, 'keyv6');
  mkdirSync(bare);
  writeFileSync(
    join(bare, 'package.json'),
    JSON.stringify({
      name: 'smoke-keyv6',
      private: true,
      type: 'module',
      dependencies: { ...pick('@credvault/core', '@credvault/worker-pool', '@credvault/cli'), keyv: '^6.1.0' },
    }),
  );
  writeFileSync(
    join(bare, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2023', 'dom'],
        types: [],
        skipLibCheck: false,
        outDir: 'out',
      },
      files: ['keyv6.ts'],
    }),
  );
  execFileSync('cp', [join(here, 'keyv6.ts'), bare]);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], {
    cwd: bare,
    env,
    stdio: 'inherit',
  });
  const tsc = run(
    'keyv6.ts type-checks against the installed d.ts with keyv 6, no @types/node',
    join(root, 'node_modules/.bin/tsc'),
    ['-p', '.'],
    { cwd: bare },
  );
  console.log(`${tsc.status === 0 ? 'ok  ' : 'FAIL'} tsc: public types and keyv 6 without @types/node ${tsc.output}`);
  // keyv 6 needs Node 22.19+; Deno runs the in-memory vault with no permission at all.
  for (const runtime of RUNTIMES.filter((r) => r.name !== 'node20')) {
    const [command, ...args] = runtime.command;
    const result = run(`keyv 6 on ${runtime.name}`, command, [...args, 'out/keyv6.js'], { cwd: bare });
    console.log(`${result.status === 0 ? 'ok  ' : 'FAIL'} keyv 6 on ${runtime.name}: ${result.output}`);
  }
  // The published core bundles for browsers and edge workers: the pure path, no node:crypto, no libsodium.
  try {
    const bundled = await build({
      stdin: { contents: "export * from '@credvault/core';", resolveDir: bare },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      logLevel: 'silent',
    });
    const text = bundled.outputFiles[0].text;
    if (/node:crypto|createCipheriv/.test(text))
      failures.push('the browser bundle of @credvault/core reaches node:crypto');
    else if (/xchacha20poly1305_ietf/.test(text))
      failures.push('the browser bundle of @credvault/core carries libsodium');
    else
      console.log(
        `ok   browser bundle of the installed @credvault/core with keyv 6: ${(text.length / 1024).toFixed(0)} KiB, no node:crypto, no libsodium`,
      );
  } catch (error) {
    failures.push(`esbuild could not bundle the installed @credvault/core for the browser: ${error.message}`);
  }
  const cli = join(bare, 'node_modules/@credvault/cli/dist/bin.js');
  const keygen = run('credvault keygen without store packages', process.execPath, [cli, 'keygen', '--kid', 'k1'], {
    cwd: bare,
  });
  if (keygen.status === 0 && !/^k1:[A-Za-z0-9_-]{43}$/.test(keygen.stdout.trim()))
    failures.push(`keygen printed ${keygen.stdout}`);
  const missing = spawnSync(process.execPath, [cli, 'status', '--store', `sqlite:${join(bare, 'v.db')}`], {
    encoding: 'utf8',
    cwd: bare,
    env: { ...env, CREDVAULT_KEYS: keygen.stdout.trim() },
  });
  const named = missing.status === 1 && missing.stderr.includes('npm install @credvault/sqlite');
  if (!named)
    failures.push(
      `credvault status --store sqlite: without @credvault/sqlite: exit ${missing.status}\n${missing.stderr}`,
    );
  console.log(
    `${keygen.status === 0 && named ? 'ok  ' : 'FAIL'} CLI without store packages: keygen works, sqlite: says ${JSON.stringify(missing.stderr.trim())}`,
  );

  // 3. Every store under every runtime; each run must open what every earlier runtime sealed.
  const stores = [{ kind: 'sqlite', target: join(dir, 'vault.db') }];
  if (redisAvailable()) {
    const redis = await startRedisServer();
    servers.push(redis);
    stores.push({ kind: 'redis', target: redis.url });
  }
  if (postgresAvailable()) {
    const postgres = await startPostgresServer();
    servers.push({ stop: () => postgres.destroy() });
    stores.push({ kind: 'postgres', target: postgres.url });
  }
  const keys = keygen.stdout.trim() || 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  for (const store of stores) {
    const done = [];
    for (const runtime of RUNTIMES) {
      const [command, ...args] = runtime.command;
      if (runtime.name === 'deno') args.push(...DENO_PERMISSIONS[store.kind]);
      const label = `${runtime.name} on ${store.kind}`;
      const result = run(label, command, [...args, 'program.mjs', runtime.name, store.kind, store.target], {
        cwd: app,
        env: { SMOKE_KEYS: keys },
      });
      done.push(runtime.name);
      if (result.status === 0) {
        const report = JSON.parse(result.stdout.trim().split('\n').pop());
        if (report.opened.join() !== [...done].sort().join())
          failures.push(`${label}: opened ${report.opened} instead of ${done}`);
        // libsodium's WebAssembly build loads on every one of these runtimes.
        if (report.crypto !== 'wasm') failures.push(`${label}: crypto ${report.crypto}, not wasm`);
        console.log(`ok   ${label}: crypto ${report.crypto}, opened the records of ${report.opened.join(', ')}`);
      } else {
        console.log(`FAIL ${label}`);
      }
    }
  }
  // 3b. @credvault/drizzle with drizzle-orm: each run opens (and finds by token) what every earlier runtime sealed.
  const databases = [{ kind: 'sqlite', target: join(dir, 'drizzle.db') }];
  const postgresDb = stores.find((s) => s.kind === 'postgres');
  if (postgresDb !== undefined) databases.unshift({ kind: 'postgres', target: postgresDb.target });
  for (const database of databases) {
    const done = [];
    for (const runtime of RUNTIMES.filter((r) => DRIZZLE[database.kind].runtimes.includes(r.name))) {
      const [command, ...args] = runtime.command;
      if (runtime.name === 'deno') args.push(...DRIZZLE[database.kind].deno);
      const label = `drizzle on ${runtime.name} on ${database.kind}`;
      const result = run(label, command, [...args, 'drizzle.mjs', runtime.name, database.kind, database.target], {
        cwd: app,
        env: { SMOKE_KEYS: keys },
      });
      done.push(runtime.name);
      if (result.status === 0) {
        const report = JSON.parse(result.stdout.trim().split('\n').pop());
        if (report.opened.join() !== [...done].sort().join())
          failures.push(`${label}: opened ${report.opened} instead of ${done}`);
        console.log(`ok   ${label}: opened and found by token the rows of ${report.opened.join(', ')}`);
      } else {
        console.log(`FAIL ${label}`);
      }
    }
  }
  // 4. The installed CLI rotates the SQLite records on worker threads (the built worker file, no tsx).
  const next = `k2:${'B'.repeat(42)}A`; // 32 bytes, canonical (the last character's low bits are zero)
  const rotated = run(
    'credvault rotate --workers 2 on SQLite',
    process.execPath,
    [
      join(app, 'node_modules/@credvault/cli/dist/bin.js'),
      'rotate',
      '--store',
      `sqlite:${stores[0].target}`,
      '-n',
      'smoke',
      '--workers',
      '2',
      '--json',
    ],
    { cwd: app, env: { CREDVAULT_KEYS: `${next},${keys}` } },
  );
  const report = rotated.status === 0 ? JSON.parse(rotated.stdout.trim().split('\n').pop()) : undefined;
  const moved = report?.rewrapped === RUNTIMES.length && report.failed.length === 0 && report.primaryKid === 'k2';
  if (rotated.status === 0 && !moved) failures.push(`credvault rotate --workers 2 reported ${rotated.stdout}`);
  console.log(
    `${moved ? 'ok  ' : 'FAIL'} CLI rotate --workers 2 on SQLite: ${report?.rewrapped ?? '?'} of ${RUNTIMES.length} records rewrapped on worker threads`,
  );
} catch (error) {
  failures.push(String(error?.stack ?? error));
} finally {
  for (const server of servers) await server.stop().catch(() => {});
  if (process.env.SMOKE_KEEP) console.log(`kept ${dir} (SMOKE_KEEP)`);
  else rmSync(dir, { recursive: true, force: true });
}
console.log(`[${elapsed()}] smoke suite done`);
if (failures.length > 0) {
  console.error(`\n${failures.length} smoke failure(s):\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
