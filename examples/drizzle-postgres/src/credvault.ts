import { connectionSchema, createSealer, createVault, type Keyring, plaintextJson } from '@credvault/core';
import { credentials } from '@credvault/drizzle/pg';
import { postgresStore, postgresTableStore } from '@credvault/postgres';
import type pg from 'pg';
import { connections } from './schema.js';

/**
 * The application's credvault: one sealer for its Drizzle queries (`creds`), and a vault over
 * the same table for the operations on every row (`migrate`, `rotate`, `status`). Both take the
 * same schema, namespace, keys and index, and the same key store (which keeps the index key).
 * `adopting`: read plaintext values through the legacy reader; drop it once migrated (strict).
 */
export function openCredvault(pool: pg.Pool, keyring: Keyring, { adopting }: { adopting: boolean }) {
  const keyStore = postgresStore({ pool }, { table: 'credvault_keys' }); // credvault's own records
  const shared = {
    schema: connectionSchema,
    keyring,
    namespace: 'connections',
    index: ['accessToken'] as const,
    ...(adopting ? { legacy: plaintextJson() } : {}),
  };
  const sealer = createSealer({ ...shared, keyStore });
  const creds = credentials(sealer, connections, {
    id: 'id',
    column: 'credential',
    index: { accessToken: 'accessTokenIx' },
  });
  const vault = createVault({
    ...shared,
    store: postgresTableStore({
      pool,
      table: 'connections',
      idColumn: 'id',
      envelopeColumn: 'credential',
      indexColumns: { accessToken: 'access_token_ix' },
      namespace: 'connections',
      keyStore,
    }),
  });
  return {
    sealer,
    creds,
    vault,
    async close() {
      await vault.close(); // never closes keyStore
      await sealer.close(); // closes keyStore; neither ends your pool
    },
  };
}

/** What {@link openCredvault} returns. */
export type Credvault = ReturnType<typeof openCredvault>;
