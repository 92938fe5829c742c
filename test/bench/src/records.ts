import type { ConnectionAuthInput, ConnectionInput } from '@credvault/core';

const chars = (n: number, seed: string) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);

/** A typical Connection: a 600-character access token, as HubSpot and Salesforce issue. */
export function typicalConnection(i = 0): ConnectionInput {
  return {
    idConnection: `0b6f3a9e-5c1d-4f7e-9a2b-${String(i).padStart(12, '0')}`,
    status: 'active',
    providerSlug: 'hubspot',
    vertical: 'crm',
    accountUrl: 'https://app.hubspot.com/contacts/44556677',
    tokenType: 'oauth2',
    accessToken: chars(600, `CJSP5qf1MhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4${i}`),
    refreshToken: `eu1-7c5d-4a4f-9b1e-${i}-0e9f8d7c6b5a`,
    expirationTimestamp: new Date('2026-11-22T12:00:00Z'),
    createdAt: new Date('2026-01-15T09:30:00Z'),
    connectionToken: `ct_${chars(40, `a8F3kLq9Zx${i}`)}`,
    idProject: '8d0c5a7e-1b2f-4c3d-9e8f-a1b2c3d4e5f6',
    idLinkedUser: `user-${i % 5000}`,
  };
}

/** A typical ConnectionAuth: OAuth client credentials, tokens, expiry, scopes in meta. */
export function typicalConnectionAuth(i = 0): ConnectionAuthInput {
  return {
    accessToken: chars(600, `ya29.a0AfB_byC${i}`),
    refreshToken: `1//0gYc-${chars(90, `rT${i}`)}`,
    clientId: '123456789012-abcdefghijklmnop.apps.googleusercontent.com',
    clientSecret: 'GOCSPX-1a2B3c4D5e6F7g8H9i0J',
    apiUrl: 'https://www.googleapis.com',
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    expiresIn: 3599,
    expiryDate: new Date('2026-11-22T12:00:00Z'),
    emails: ['ops@example.com'],
    meta: { scopes: ['https://www.googleapis.com/auth/gmail.readonly', 'openid', 'email'], region: 'eu' },
    name: 'Google Workspace — EU',
  };
}
