// One process of the outage test (outage.test.ts): four `vault.set` loops, a lease loop and a loop
// on the raw @keyv/postgres adapter, all on one `postgresStore`, while the parent stops PostgreSQL
// (`-m immediate`) and starts it again. It counts uncaught exceptions and unhandled rejections
// instead of dying of them, and prints JSON lines: {"event":"ready"} once every loop has
// succeeded, {"event":"failing"} at the first failed call, then {"event":"report", ...} once every
// loop has succeeded `AFTER` times in a row after failing (or at its deadline), and exits.
// argv: <url> <url|pool>: the store creates its pool from the URL, or gets one of the application's.
import { connectionSchema, createVault, isVaultError, parseKeyList } from '@credvault/core';
import { suiteConnection } from '@credvault/test-suite';
import pg from 'pg';
import { postgresStore } from '../../src/index.js';

const [url, mode] = process.argv.slice(2) as [string, 'url' | 'pool'];
const TIMEOUT = 1000; // the store's timeout: no call may take much longer, server down or not
const WRITERS = 4;
const AFTER = 10; // successes in a row, after the outage, that end a loop
const DEADLINE = Date.now() + 45_000;

const crashes: string[] = [];
process.on('uncaughtException', (error) => void crashes.push(`uncaughtException: ${error.message}`));
process.on('unhandledRejection', (error) => void crashes.push(`unhandledRejection: ${String(error)}`));

const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
// An application's pool has its own 'error' listener for idle clients, as the README asks.
const own = mode === 'pool' ? new pg.Pool({ connectionString: url, max: 4 }).on('error', () => {}) : undefined;
const store = postgresStore(own === undefined ? { url } : { pool: own }, { timeout: TIMEOUT, max: 4 });
const vault = createVault({
  store,
  keyring: parseKeyList(process.env.CREDVAULT_KEYS as string),
  schema: connectionSchema,
  namespace: 'outage',
});

type Kind = 'set' | 'lease' | 'adapter';
const acknowledged: string[] = [];
/** Failed calls by kind, then by VaultError code (`OTHER` for anything else). */
const failures: Record<Kind, Record<string, number>> = { set: {}, lease: {}, adapter: {} };
const succeeded: Record<Kind, number> = { set: 0, lease: 0, adapter: 0 };
let slowest = 0; // the longest failed call of the store's own API, ms
let failing = false;
const loops = WRITERS + 2;
const successes: number[] = Array.from({ length: loops }, () => 0);
let ready = false;

/** Runs `call` until it has succeeded AFTER times in a row after a failure (or the deadline). */
async function loop(index: number, kind: Kind, call: (n: number) => Promise<void>): Promise<boolean> {
  let inARow = 0;
  let failed = false;
  for (let n = 0; Date.now() < DEADLINE; n++) {
    const begin = Date.now();
    try {
      await call(n);
      succeeded[kind] += 1;
      successes[index] = (successes[index] ?? 0) + 1;
      if (!ready && successes.every((count) => count >= 3)) {
        ready = true;
        print({ event: 'ready' });
      }
      inARow += 1;
      if (failed && inARow >= AFTER) return true;
    } catch (error) {
      const code = isVaultError(error) ? error.code : 'OTHER';
      failures[kind][code] = (failures[kind][code] ?? 0) + 1;
      if (kind !== 'adapter') slowest = Math.max(slowest, Date.now() - begin);
      if (!failing) print({ event: 'failing' });
      failing = true;
      failed = true;
      inARow = 0;
      await new Promise((resolve) => setTimeout(resolve, 20)); // the server is down: do not spin
    }
  }
  return false;
}

const recovered = await Promise.all([
  ...Array.from({ length: WRITERS }, (_, w) =>
    loop(w, 'set', async (n) => {
      const id = `w${w}-${n}`;
      await vault.set(id, suiteConnection(id, { accessToken: `token-of-${id}` }));
      acknowledged.push(id);
    }),
  ),
  // Leases take, extend and release rows through the same pool: they must fail and recover alike.
  loop(WRITERS, 'lease', async (n) => {
    const held = await store.lease(`outage-job-${n % 3}`, 5000);
    await held?.extend(5000);
    await held?.release();
  }),
  // The adapter queries through the store's pool too (its errors are pg's own, not VaultErrors).
  loop(WRITERS + 1, 'adapter', async (n) => void (await store.adapter.set(`adapter-${n % 5}`, `v${n}`))),
]);
await vault.close();
await store.close();
await own?.end();
print({ event: 'report', recovered, acknowledged, failures, succeeded, slowest, crashes });
process.exit(0);
