import { readFile } from 'node:fs/promises';
import type { ConnectionInput } from '@credvault/core';
import type pg from 'pg';

/** A connection as the application stored it before credvault: all of it, tokens included, as JSON. */
export function connection(id: string, user: string, provider: string, expires: string): ConnectionInput {
  return {
    idConnection: id,
    status: 'active',
    providerSlug: provider,
    vertical: 'crm',
    accountUrl: `https://${provider}.example.com/${user}`,
    tokenType: 'oauth2',
    accessToken: `ya29.access-${user}`,
    refreshToken: `1//refresh-${user}`,
    expirationTimestamp: expires,
    createdAt: '2025-01-01T00:00:00Z',
    connectionToken: `ct_${user}`,
    idProject: 'project-1',
    idLinkedUser: user,
  };
}

/** The connections the example starts with. */
export const legacyConnections: readonly ConnectionInput[] = [
  connection('00000000-0000-4000-8000-000000000001', 'alice', 'hubspot', '2030-01-01T00:00:00Z'),
  connection('00000000-0000-4000-8000-000000000002', 'bob', 'salesforce', '2030-01-02T00:00:00Z'),
  connection('00000000-0000-4000-8000-000000000003', 'carol', 'pipedrive', '2030-01-03T00:00:00Z'),
];

/**
 * Starts the demo from scratch: DROPS the tables `connections`, `credvault_keys` and
 * `credvault_keys_leases`, runs the migrations in sql/, and inserts the plaintext rows with
 * plain SQL, as the application did before credvault (the sealed column refuses plaintext).
 */
export async function seedPlaintext(pool: pg.Pool): Promise<void> {
  await pool.query('DROP TABLE IF EXISTS connections, credvault_keys, credvault_keys_leases');
  for (const file of ['0001_connections.sql', '0002_access_token_index.sql']) {
    await pool.query(await readFile(new URL(`../sql/${file}`, import.meta.url), 'utf8'));
  }
  for (const c of legacyConnections) {
    await pool.query('INSERT INTO connections (id, user_id, credential) VALUES ($1, $2, $3)', [
      c.idConnection,
      c.idLinkedUser,
      JSON.stringify(c),
    ]);
  }
}
