// The inputs of the known-answer vectors. Append only: a case once published is never changed.

/** A record vector: a record sealed under fixed keys and nonces (test/vectors/cv1.json). */
export interface RecordCase {
  description: string;
  schema: 'connection' | 'connectionAuth';
  namespace: string;
  id: string;
  record: object;
  storedAt?: string;
  /** Which keyring wrapped the data key: absent for the local one (72 bytes), `test-kms` for test/support/test-kms.ts. */
  keyring?: 'test-kms';
  kid?: string;
}

export const recordCases: RecordCase[] = [
  {
    description: 'Connection with every field (seed 000), dates given as ISO strings',
    schema: 'connection',
    namespace: 'connections',
    id: '123e4567-e89b-12d3-a456-426614174000',
    record: {
      idConnection: '123e4567-e89b-12d3-a456-426614174000',
      status: 'active',
      providerSlug: 'hubspot',
      vertical: 'crm',
      accountUrl: 'https://example.com/account',
      tokenType: 'oauth2',
      accessToken: 'access_token_example',
      refreshToken: 'refresh_token_example',
      expirationTimestamp: '2024-10-01T12:00:00Z',
      createdAt: '2024-10-01T12:00:00Z',
      connectionToken: '123e4567-e89b-12d3-a456-426614174000',
      idProject: '123e4567-e89b-12d3-a456-426614174001',
      idLinkedUser: '123e4567-e89b-12d3-a456-426614174002',
    },
  },
  {
    description: 'ConnectionAuth with all 22 fields, unicode, arrays and nested meta',
    schema: 'connectionAuth',
    namespace: 'auth',
    id: 'zoë/🔑',
    record: {
      accessToken: 'ya29.a0-access',
      apiUrl: 'https://api.example.com',
      appId: 'app-1',
      authorizeUrl: 'https://example.com/authorize',
      clientId: 'client-1',
      clientSecret: 'client-secret-1',
      consumerKey: 'ck-1',
      consumerSecret: 'cs-1',
      emails: ['a@example.com', 'zoë@example.com'],
      expiresIn: 3599,
      expiryDate: '2025-01-31T23:59:59.999+01:00',
      key: 'api-key-1',
      meta: { z: [1, 2.5, null, true], a: { ü: 'ß' } },
      name: 'Prod — EU',
      otherAuthInfo: ['one', 'two'],
      pem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      refreshToken: 'refresh-1',
      refreshTokenExpiresDate: '2025-06-30T00:00:00Z',
      refreshTokenExpiresIn: 15552000,
      state: 'state-1',
      token: 'token-1',
      tokenUrl: 'https://example.com/token',
    },
  },
  {
    description: 'ConnectionAuth with no secret field at all: the sealed part holds {}',
    schema: 'connectionAuth',
    namespace: 'auth',
    id: 'public-only',
    record: { clientId: 'client-2', apiUrl: 'https://api.example.com' },
  },
  {
    description: 'ConnectionAuth with vault metadata: ~storedAt in the readable part, expiresIn relative to it',
    schema: 'connectionAuth',
    namespace: 'auth',
    id: 'with-meta',
    storedAt: '2026-11-22T10:00:00.000Z',
    record: { accessToken: 'access-4', refreshToken: 'refresh-4', expiresIn: 3600, clientId: 'client-4' },
  },
  {
    description:
      'ConnectionAuth edge cases: expiresIn given as 2^53+1 (stored as the double 9007199254740992), 1e21, -0, ' +
      'the smallest double, a lone surrogate in a readable and in a secret string, U+2028, control characters, ' +
      'meta keys in UTF-16 order (astral before U+FFFF), null, empty array, dates in years 0000 and 9999 and ' +
      'with an offset, an id with a colon and an astral character',
    schema: 'connectionAuth',
    namespace: 'auth',
    id: 'edge:😀/ü',
    storedAt: '2026-11-23T08:00:00.000Z',
    record: {
      expiresIn: 2 ** 53 + 1,
      refreshTokenExpiresIn: 1e21,
      emails: [],
      name: 'tab\there, line\u2028sep, nul\u0000, del\u007f, quote" backslash\\ slash/',
      expiryDate: '0000-01-01T00:00:00Z',
      refreshTokenExpiresDate: '9999-12-31T23:59:59.999-00:00',
      apiUrl: 'https://api.example.com/v1?q=é',
      meta: {
        '\uffff': 'last of the BMP',
        '😀': 'astral: sorts before U+FFFF in UTF-16 code units',
        // Given as -0 when published (stored as 0, as this record holds it); the writer now refuses -0.
        é: [0, 0.1, 5e-324, 1e-7, 1.7976931348623157e308, 123456789012345680000],
        Z: null,
        a: { lone: '\ud800', pair: '\ud83d\ude00', nested: { b: true, a: false } },
        '': 'empty key',
      },
      token: 'secret with a lone low surrogate \udc00 inside',
      otherAuthInfo: ['', 'ü'],
    },
  },
  {
    description:
      'Connection sealed under a keyring in the shape of a KMS (test/support/test-kms.ts): asynchronous, and ' +
      'its wrapped key is 82 bytes, not 72. A reader opens it with that keyring; the envelope is otherwise cv1',
    schema: 'connection',
    namespace: 'connections',
    id: 'kms-wrapped',
    keyring: 'test-kms',
    kid: 'kms-1',
    storedAt: '2026-11-23T08:00:00.000Z',
    record: {
      idConnection: 'kms-wrapped',
      status: 'active',
      providerSlug: 'salesforce',
      vertical: 'crm',
      accountUrl: 'https://example.my.salesforce.com',
      tokenType: 'oauth2',
      accessToken: 'access-kms',
      refreshToken: 'refresh-kms',
      expirationTimestamp: '2026-11-23T09:00:00.000Z',
      createdAt: '2026-11-01T00:00:00.000Z',
      connectionToken: 'connection-token-kms',
      idProject: 'project-kms',
      idLinkedUser: 'user-kms',
    },
  },
];

/** Canonical JSON: JSON text in, canonical text out (parse as I-JSON doubles, then serialize). */
export const canonicalCases: { description: string; input: string }[] = [
  { description: 'object keys sorted, white space removed', input: '{ "b" : 1 , "a" : [ 2 , 1 ] }' },
  {
    description: 'nested objects sorted at every level; arrays keep their order',
    input: '{"b":{"d":1,"c":[{"f":1,"e":2}]},"a":null}',
  },
  { description: '2^53+1 is the double 2^53', input: '{"n":9007199254740993}' },
  {
    description: 'numbers as ECMAScript writes doubles',
    input: '{"a":1.0,"b":-0,"c":1e21,"d":1E-7,"e":0.1,"f":5e-324,"g":123e-2,"h":100000000000000000000,"i":-1.5e+300}',
  },
  {
    description: 'escapes: only what JSON.stringify escapes, in its form; U+2028 and non-ASCII raw',
    input: '{"s":"\\u00e9\\/\\u2028\\ud83d\\ude00\\u0000\\u001F\\b\\f\\n\\r\\t\\"\\\\\\u007f"}',
  },
  { description: 'a lone surrogate stays escaped, lower-case hex', input: '{"s":"\\uD800","t":"x\\uDC00y"}' },
  {
    description: 'keys in UTF-16 code unit order: empty, upper, lower, ~, é, astral (D83D), U+FFFF',
    input: '{"\\uffff":1,"😀":2,"é":3,"Z":4,"a":5,"~storedAt":6,"":7}',
  },
  { description: 'literals', input: '{"t":true,"f":false,"n":null,"e":"","o":{},"l":[]}' },
];

/** Texts that are not canonical JSON (JSON or not): a reader refuses them as the readable or secret part. */
export const notCanonical: { description: string; text: string }[] = [
  { description: 'duplicate key', text: '{"a":1,"a":1}' },
  { description: 'unsorted keys', text: '{"b":1,"a":2}' },
  { description: 'white space', text: '{ "a":1}' },
  { description: 'trailing zero', text: '{"a":1.0}' },
  { description: 'exponent form ECMAScript does not write', text: '{"a":1E2}' },
  { description: 'negative zero', text: '{"a":-0}' },
  { description: 'escape of a character written raw', text: '{"a":"\\u0061"}' },
  { description: 'upper-case hex in a lone surrogate escape', text: '{"a":"\\uD800"}' },
  { description: 'escaped slash', text: '{"a":"\\/"}' },
  { description: 'a UTF-8 byte order mark (U+FEFF) before the object', text: '\ufeff{}' },
];
