import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connectionSchema, createKeyring, createVault, generateKey, keyvStore, type VaultStore } from '@credvault/core';
import { postgresStore } from '@credvault/postgres';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';
import { KeyvPostgres } from '@keyv/postgres';
import KeyvRedis from '@keyv/redis';
import { KeyvSqlite } from '@keyv/sqlite';
import { Keyv } from 'keyv';
import { type Measured, measureInterleaved } from './measure.js';
import { typicalConnection } from './records.js';

/** The stores to compare on: raw Keyv over a backend, and the credvault store over the same backend. */
export interface Backend {
  readonly name: string;
  raw(): Keyv;
  store(): VaultStore;
}

/** Memory, SQLite (files in `dir`), Redis at `redisUrl` and PostgreSQL at `postgresUrl` when given. */
export function backends(dir: string, redisUrl: string | undefined, postgresUrl?: string): Backend[] {
  const list: Backend[] = [
    { name: 'memory', raw: () => new Keyv(), store: () => keyvStore(new Keyv()) },
    {
      name: 'SQLite',
      raw: () => {
        // The same journal mode as sqliteStore (WAL), so the ratio shows what credvault adds, not WAL against DELETE.
        const adapter = new KeyvSqlite({ uri: `sqlite://${join(dir, 'raw-keyv.db')}` });
        void adapter.query('PRAGMA journal_mode = WAL');
        return new Keyv({ store: adapter });
      },
      store: () => sqliteStore({ path: join(dir, 'vault.db') }),
    },
  ];
  if (redisUrl !== undefined) {
    list.push({
      name: 'Redis',
      raw: () => new Keyv({ store: new KeyvRedis(redisUrl), namespace: 'rawkeyv' }),
      store: () => redisStore({ url: redisUrl }),
    });
  }
  if (postgresUrl !== undefined) {
    list.push({
      name: 'PostgreSQL',
      // @keyv/postgres as a user would set it up, on a table of its own.
      raw: () => new Keyv({ store: new KeyvPostgres({ uri: postgresUrl, table: 'rawkeyv' }) }),
      store: () => postgresStore({ url: postgresUrl }),
    });
  }
  return list;
}

/** Per-run medians (µs-level, in ms) of one store's cases. */
export interface StoreRuns {
  readonly backend: string;
  readonly keyvSetGet: number[];
  readonly vaultSetGet: number[];
  /** keyv.set + keyv.get followed by as much CPU work (a spin) as vault.set + get adds on the memory store. */
  readonly keyvSetGetPlusCpu: number[];
  readonly keyvGet: number[];
  /** vault.get of a record read before: answered by the record cache after the store read. */
  readonly vaultGet: number[];
  /** vault.get with the record and unwrap caches off: the whole open (unwrap, decrypt, strict reader, validation). */
  readonly vaultGetCold: number[];
  /** keyv.get followed by as much CPU work as a vault.get with the caches off adds on the memory store. */
  readonly keyvGetPlusCpu: number[];
}

/** Busy-waits `us` microseconds: CPU work with no I/O and no allocation. */
function spin(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

/**
 * vault.set + vault.get against keyv.set + keyv.get of the same plaintext Connection, vault.get
 * of a record read before (a hot connection) and with the caches off against keyv.get, and keyv
 * followed by the vault's own CPU (measured on the memory store) as a spin; `runs` times each.
 */
export async function storeCases(list: Backend[], timeMs: number, runs: number): Promise<StoreRuns[]> {
  const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
  // Every write carries a new access token, as a refresh does: SQLite is cheaper when a write
  // leaves the bytes unchanged, which would flatter the plaintext baseline.
  const tokens = Array.from({ length: 997 }, () => randomBytes(450).toString('base64url'));
  const record = (i: number) => ({ ...typicalConnection(), accessToken: tokens[i % tokens.length] as string });
  const out: StoreRuns[] = [];
  // The vault's own CPU on the memory store (the first backend), where the store costs next to nothing.
  let setGetCpuUs = 0;
  let coldGetCpuUs = 0;
  for (const backend of list) {
    const raw = backend.raw();
    const store = backend.store();
    const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'bench' });
    const cold = createVault({
      store,
      keyring,
      schema: connectionSchema,
      namespace: 'bench',
      recordCache: false,
      unwrapCache: false,
    });
    const runsOf: StoreRuns = {
      backend: backend.name,
      keyvSetGet: [],
      vaultSetGet: [],
      keyvSetGetPlusCpu: [],
      keyvGet: [],
      vaultGet: [],
      vaultGetCold: [],
      keyvGetPlusCpu: [],
    };
    let i = 0;
    await raw.set('hot', record(0));
    await vault.set('hot', record(0));
    for (let run = 0; run < runs; run++) {
      const [keyvSetGet, vaultSetGet, keyvSetGetPlusCpu, keyvGet, vaultGet, vaultGetCold, keyvGetPlusCpu] =
        (await measureInterleaved(
          {
            'keyv set + get, plaintext (baseline)': async () => {
              const id = `c${i % 1000}`;
              await raw.set(id, record(i++));
              return raw.get(id);
            },
            'credvault vault.set + get': async () => {
              const id = `c${i % 1000}`;
              await vault.set(id, record(i++));
              return vault.get(id);
            },
            'keyv set + get + the vault CPU as a spin': async () => {
              const id = `c${i % 1000}`;
              await raw.set(id, record(i++));
              const value = await raw.get(id);
              spin(setGetCpuUs);
              return value;
            },
            'keyv get of a hot record (baseline)': () => raw.get('hot'),
            'credvault vault.get of a hot record': () => vault.get('hot'),
            'credvault vault.get, caches off': () => cold.get('hot'),
            'keyv get + the vault CPU (caches off) as a spin': async () => {
              const value = await raw.get('hot');
              spin(coldGetCpuUs);
              return value;
            },
          },
          timeMs,
        )) as [Measured, Measured, Measured, Measured, Measured, Measured, Measured];
      runsOf.keyvSetGet.push(keyvSetGet.medianMs);
      runsOf.vaultSetGet.push(vaultSetGet.medianMs);
      runsOf.keyvSetGetPlusCpu.push(keyvSetGetPlusCpu.medianMs);
      runsOf.keyvGet.push(keyvGet.medianMs);
      runsOf.vaultGet.push(vaultGet.medianMs);
      runsOf.vaultGetCold.push(vaultGetCold.medianMs);
      runsOf.keyvGetPlusCpu.push(keyvGetPlusCpu.medianMs);
      if (backend.name === 'memory') {
        setGetCpuUs = Math.max(0, (vaultSetGet.medianMs - keyvSetGet.medianMs) * 1000);
        coldGetCpuUs = Math.max(0, (vaultGetCold.medianMs - keyvGet.medianMs) * 1000);
      }
    }
    await raw.disconnect();
    await vault.close();
    out.push(runsOf);
  }
  return out;
}
