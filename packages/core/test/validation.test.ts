import { inspect } from 'node:util';
import { type ConnectionInput, connectionAuthSchema, isVaultError, type VaultError } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection, connectionAuth, SECRET_STRINGS } from './support/fixtures.js';
import { memoryVault } from './support/vault.js';

async function rejection(promise: Promise<unknown>): Promise<VaultError> {
  try {
    await promise;
  } catch (error) {
    if (isVaultError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** Everything an error can show: message, stack, inspect output (with cause), JSON. */
function visible(error: VaultError): string {
  return [error.message, error.stack, inspect(error, { depth: 10 }), JSON.stringify(error), String(error)].join('\n');
}

const LEAKY = 'LEAK-canary-value-3141592653';

const badConnections: [string, string, Record<string, unknown>][] = [
  ['a missing required field', 'refreshToken', { refreshToken: undefined }],
  ['a secret of the wrong type', 'accessToken', { accessToken: 987654321987 }],
  ['a readable field of the wrong type', 'idProject', { idProject: 12 }],
  ['a tokenType outside the list', 'tokenType', { tokenType: LEAKY }],
  ['an impossible date', 'expirationTimestamp', { expirationTimestamp: '2024-02-30T00:00:00Z' }],
  ['a date with a secret in it', 'createdAt', { createdAt: `2024-01-01T00:00:00Z${LEAKY}` }],
  ['an invalid Date', 'createdAt', { createdAt: new Date('nope') }],
  ['a date past year 9999', 'createdAt', { createdAt: new Date(Date.UTC(10000, 0, 1)) }],
  ['a date without a time zone', 'createdAt', { createdAt: '2024-10-01T12:00:00' }],
  ['an unknown field (a misspelt secret)', 'acessToken', { acessToken: LEAKY }],
];

describe('invalid records', () => {
  it.each(badConnections)('refuses %s with VALIDATION_FAILED at its path, storing nothing', async (_, path, change) => {
    const { vault, keyv } = memoryVault();
    await vault.set('kept', connection());
    const before = await keyv.get('test:kept');
    const record = { ...connection(), ...change } as ConnectionInput;
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete (record as never)[key];
    for (const id of ['new', 'kept']) {
      const error = await rejection(vault.set(id, record));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.path).toBe(path);
      expect(error.message).toContain(`"${path}"`);
      expect(error.issues.map((issue) => issue.path)).toContain(path);
      const shown = visible(error);
      for (const secret of [...SECRET_STRINGS, LEAKY, '987654321987']) expect(shown).not.toContain(secret);
    }
    expect(await keyv.get('test:new')).toBeUndefined();
    expect(await keyv.get('test:kept')).toBe(before);
  });

  it('reports every issue, each with its path', async () => {
    const { vault } = memoryVault();
    const error = await rejection(vault.set('x', { ...connection(), status: 1, vertical: 2 } as never));
    expect(error.issues.map((issue) => issue.path)).toEqual(['status', 'vertical']);
    expect(error.message).toContain('and 1 more');
  });

  it.each([
    ['emails.1', { emails: ['ok@example.com', 7] }],
    ['otherAuthInfo.0', { otherAuthInfo: [{ secret: LEAKY }] }],
    ['meta.fn', { meta: { fn: () => LEAKY } }],
    ['meta.deep', { meta: { deep: Number.NaN } }],
    ['expiresIn', { expiresIn: Number.POSITIVE_INFINITY }],
    ['expiryDate', { expiryDate: LEAKY }],
  ])('refuses a ConnectionAuth with a bad %s', async (path, change) => {
    const { vault, keyv } = memoryVault({ schema: connectionAuthSchema });
    const error = await rejection(vault.set('a', { ...connectionAuth(), ...change } as never));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.path).toBe(path);
    expect(visible(error)).not.toContain(LEAKY);
    expect(await keyv.get('test:a')).toBeUndefined();
  });

  it('refuses a record that is not an object', async () => {
    const { vault } = memoryVault();
    for (const value of [null, 'string', 42, [connection()]]) {
      expect((await rejection(vault.set('x', value as never))).code).toBe('VALIDATION_FAILED');
    }
  });

  it('refuses bad ids with INVALID_ARGUMENT', async () => {
    const { vault } = memoryVault();
    for (const id of ['', 'x'.repeat(513), 5, undefined]) {
      expect((await rejection(vault.set(id as string, connection()))).code).toBe('INVALID_ARGUMENT');
      expect((await rejection(vault.get(id as string))).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('gives a message that names the path and the expectation', async () => {
    const { vault } = memoryVault();
    const error = await rejection(vault.set('x', { ...connection(), tokenType: 'oauth1' } as never));
    expect(error.message).toBe(
      'VALIDATION_FAILED: invalid "tokenType": expected ("oauth2" | "apikey" | "basic") (record "x")',
    );
  });
});
