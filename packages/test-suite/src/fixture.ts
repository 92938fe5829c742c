import type { ConnectionInput } from '@credvault/core';

/** Secret strings the suite looks for in raw stored bytes. */
export const SUITE_SECRETS: readonly string[] = [
  'suite-access-token-7b6c5d',
  'suite-refresh-token-4e3f2a',
  'suite-connection-token-1a9b8c',
];

/** A valid Connection whose secrets are {@link SUITE_SECRETS}. */
export function suiteConnection(id: string, overrides: Partial<ConnectionInput> = {}): ConnectionInput {
  return {
    idConnection: id,
    status: 'active',
    providerSlug: 'hubspot',
    vertical: 'crm',
    accountUrl: 'https://example.com/account',
    tokenType: 'oauth2',
    accessToken: SUITE_SECRETS[0] as string,
    refreshToken: SUITE_SECRETS[1] as string,
    expirationTimestamp: '2024-10-01T12:00:00Z',
    createdAt: '2024-10-01T12:00:00Z',
    connectionToken: SUITE_SECRETS[2] as string,
    idProject: 'project-1',
    idLinkedUser: 'user-1',
    ...overrides,
  };
}
