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
  /** keyv.set + keyv.get with the same vault.set + get on a memory store around them: the vault's own work, where it runs. */
  readonly keyvSetGetPlusWork: number[];
  readonly keyvGet: number[];
  /** vault.get of a record read before: answered by the record cache after the store read. */
  readonly vaultGet: number[];
  /** vault.get with the record and unwrap caches off: the whole open (unwrap, decrypt, strict reader, validation). */
  readonly vaultGetCold: number[];
  /** keyv.get followed by a vault.get with the caches off on a memory store. */
  readonly keyvGetPlusWork: number[];
}

/**
 * vault.set + vault.get against keyv.set + keyv.get of the same plaintext Connection, vault.get
 * of a record read before (a hot connection) and with the caches off against keyv.get, and keyv
 * with the same vault work done on a memory store beside it (the vault's own work, with the
 * cache and CPU effects it has between this store's round trips); `runs` times each.
 */
export async function storeCases(list: Backend[], timeMs: number, runs: number): Promise<StoreRuns[]> {
  const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
  // Every write carries a new access token, as a refresh does: SQLite is cheaper when a write
  // leaves the bytes unchanged, which would flatter the plaintext baseline.
  const tokens = Array.from({ length: 997 }, () => randomBytes(450).toString('base64url'));
  const record = (i: number) => ({ ...typicalConnection(), accessToken: tokens[i % tokens.length] as string });
  const out: StoreRuns[] = [];
  // The vault's own work, on a store that costs next to nothing (a Map behind Keyv, ~1 µs a call).
  const work = createVault({ store: keyvStore(new Keyv()), keyring, schema: connectionSchema, namespace: 'bench' });
  const workCold = createVault({
    store: work.store,
    keyring,
    schema: connectionSchema,
    namespace: 'bench',
    recordCache: false,
    unwrapCache: false,
  });
  await work.set('hot', record(0));
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
      keyvSetGetPlusWork: [],
      keyvGet: [],
      vaultGet: [],
      vaultGetCold: [],
      keyvGetPlusWork: [],
    };
    let i = 0;
    await raw.set('hot', record(0));
    await vault.set('hot', record(0));
    for (let run = 0; run < runs; run++) {
      const [keyvSetGet, vaultSetGet, keyvSetGetPlusWork, keyvGet, vaultGet, vaultGetCold, keyvGetPlusWork] =
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
            'keyv set + get with the vault work on a memory store': async () => {
              const id = `c${i % 1000}`;
              const next = record(i++);
              await work.set(id, next); // sealed before the write, as vault.set does
              await raw.set(id, next);
              const value = await raw.get(id);
              await work.get(id); // opened (from its record cache) after the read, as vault.get does
              return value;
            },
            'keyv get of a hot record (baseline)': () => raw.get('hot'),
            'credvault vault.get of a hot record': () => vault.get('hot'),
            'credvault vault.get, caches off': () => cold.get('hot'),
            'keyv get + a vault.get with the caches off on a memory store': async () => {
              const value = await raw.get('hot');
              await workCold.get('hot');
              return value;
            },
          },
          timeMs,
        )) as [Measured, Measured, Measured, Measured, Measured, Measured, Measured];
      runsOf.keyvSetGet.push(keyvSetGet.medianMs);
      runsOf.vaultSetGet.push(vaultSetGet.medianMs);
      runsOf.keyvSetGetPlusWork.push(keyvSetGetPlusWork.medianMs);
      runsOf.keyvGet.push(keyvGet.medianMs);
      runsOf.vaultGet.push(vaultGet.medianMs);
      runsOf.vaultGetCold.push(vaultGetCold.medianMs);
      runsOf.keyvGetPlusWork.push(keyvGetPlusWork.medianMs);
    }
    await raw.disconnect();
    await vault.close();
    out.push(runsOf);
  }
  await work.close();
  return out;
}
