// The application: it only sees a Vault, never which store is underneath.
import type { connectionSchema, Vault } from '@credvault/core';

type Connections = Vault<typeof connectionSchema>;

/** Onboards three connections, revokes one with a read-modify-write, and lists a project. */
export async function app(vault: Connections): Promise<string[]> {
  const base = {
    status: 'active',
    vertical: 'crm',
    accountUrl: 'https://example.com/account',
    tokenType: 'oauth2' as const,
    refreshToken: 'refresh-secret',
    expirationTimestamp: new Date('2030-01-01T00:00:00Z'),
    createdAt: new Date('2026-11-22T00:00:00Z'),
    idLinkedUser: 'user-1',
  };
  for (const [id, providerSlug, idProject] of [
    ['hubspot-1', 'hubspot', 'acme'],
    ['salesforce-1', 'salesforce', 'acme'],
    ['google-1', 'google', 'globex'],
  ] as const) {
    await vault.set(id, {
      ...base,
      idConnection: id,
      providerSlug,
      idProject,
      accessToken: `${id}-access`,
      connectionToken: `${id}-ct`,
    });
  }
  await vault.update('salesforce-1', (current) => current && { ...current, status: 'revoked' });
  const lines: string[] = [];
  for await (const [id, connection] of vault.entries({ where: { idProject: 'acme' } })) {
    lines.push(`${id}: ${connection.providerSlug} ${connection.status}`);
  }
  await vault.delete('google-1');
  lines.sort();
  lines.push(`google-1 after delete: ${(await vault.get('google-1')) === undefined ? 'gone' : 'still there'}`);
  return lines;
}
