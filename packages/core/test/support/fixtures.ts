import type { ConnectionAuthInput, ConnectionInput } from '@credvault/core';
import { faker } from '@faker-js/faker';

/** Secret values distinctive enough that finding one anywhere is proof of a leak. */
export const SECRETS = {
  accessToken: `AT-${'a1b2c3'.repeat(100)}`, // a 600-character access token, as real ones are
  refreshToken: 'RT-secret-refresh-9f8e7d6c',
  connectionToken: 'CT-secret-connection-5b4a3c2d',
  clientSecret: 'CS-secret-client-1a2b3c',
  consumerSecret: 'CNS-secret-consumer-4d5e6f',
  pem: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-secret-pem\n-----END PRIVATE KEY-----\n',
  key: 'KEY-secret-api-key-7g8h9i',
  token: 'TOK-secret-token-0j1k2l',
  otherAuthInfo: ['OTHER-secret-one-3m4n', 'OTHER-secret-two-5o6p'],
  state: 'STATE-secret-oauth-state-7q8r',
} as const;

/** Every secret string of the fixtures, flattened. */
export const SECRET_STRINGS: readonly string[] = Object.values(SECRETS).flat();

/** A Connection with every field set, dates as ISO strings (as the seed shows them). */
export function connection(overrides: Partial<ConnectionInput> = {}): ConnectionInput {
  return {
    idConnection: '123e4567-e89b-12d3-a456-426614174000',
    status: 'active',
    providerSlug: 'hubspot',
    vertical: 'crm',
    accountUrl: 'https://example.com/account',
    tokenType: 'oauth2',
    accessToken: SECRETS.accessToken,
    refreshToken: SECRETS.refreshToken,
    expirationTimestamp: '2024-10-01T12:00:00Z',
    createdAt: new Date('2024-10-01T12:00:00.123Z'),
    connectionToken: SECRETS.connectionToken,
    idProject: '123e4567-e89b-12d3-a456-426614174001',
    idLinkedUser: '123e4567-e89b-12d3-a456-426614174002',
    ...overrides,
  };
}

/** A ConnectionAuth with all 22 fields set, including unicode, arrays, nested meta and dates. */
export function connectionAuth(overrides: Partial<ConnectionAuthInput> = {}): ConnectionAuthInput {
  return {
    accessToken: SECRETS.accessToken,
    apiUrl: 'https://api.example.com/v3',
    appId: 'app-42',
    authorizeUrl: 'https://example.com/oauth/authorize',
    clientId: 'client-id-public',
    clientSecret: SECRETS.clientSecret,
    consumerKey: 'consumer-key-public',
    consumerSecret: SECRETS.consumerSecret,
    emails: ['ops@example.com', 'zoë@exämple.com'],
    expiresIn: 3599,
    expiryDate: '2025-01-31T23:59:59.999+01:00',
    key: SECRETS.key,
    meta: { region: 'eu-1', scopes: ['crm.read', 'crm.write'], nested: { n: 1.5, ok: true, none: null }, emoji: '🔐' },
    name: 'HubSpot — Production',
    otherAuthInfo: [...SECRETS.otherAuthInfo],
    pem: SECRETS.pem,
    refreshToken: SECRETS.refreshToken,
    refreshTokenExpiresDate: new Date('2025-06-30T00:00:00Z'),
    refreshTokenExpiresIn: 15_552_000,
    state: SECRETS.state,
    token: SECRETS.token,
    tokenUrl: 'https://example.com/oauth/token',
    ...overrides,
  };
}

/** A random but valid Connection, for bulk and property tests. */
export function randomConnection(): ConnectionInput {
  return {
    idConnection: faker.string.uuid(),
    status: faker.helpers.arrayElement(['active', 'inactive', 'revoked']),
    providerSlug: faker.helpers.arrayElement(['hubspot', 'salesforce', 'google', 'zendesk']),
    vertical: faker.helpers.arrayElement(['crm', 'ticketing', 'accounting']),
    accountUrl: faker.internet.url(),
    tokenType: faker.helpers.arrayElement(['oauth2', 'apikey', 'basic'] as const),
    accessToken: faker.string.alphanumeric(600),
    refreshToken: faker.string.alphanumeric({ length: { min: 0, max: 200 } }),
    expirationTimestamp: faker.date.future(),
    createdAt: faker.date.past().toISOString(),
    connectionToken: faker.string.uuid(),
    idProject: faker.string.uuid(),
    idLinkedUser: faker.string.uuid(),
  };
}

/** A random ConnectionAuth with a random subset of its fields. */
export function randomConnectionAuth(): ConnectionAuthInput {
  const full: ConnectionAuthInput = {
    ...connectionAuth(),
    accessToken: faker.string.alphanumeric(600),
    name: faker.company.name(),
    emails: faker.helpers.multiple(() => faker.internet.email(), { count: { min: 0, max: 3 } }),
    meta: {
      id: faker.number.int(),
      tags: faker.helpers.multiple(() => faker.word.noun()),
      text: faker.lorem.sentence(),
    },
    expiresIn: faker.number.float({ min: 0, max: 1e6 }),
    otherAuthInfo: faker.helpers.multiple(() => faker.string.sample(12), { count: { min: 0, max: 4 } }),
  };
  const keep = faker.helpers.arrayElements(Object.keys(full));
  return Object.fromEntries(Object.entries(full).filter(([k]) => keep.includes(k))) as ConnectionAuthInput;
}
