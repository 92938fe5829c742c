import { inspect } from 'node:util';
import { connectionSchema, createVault, keyvStore } from '@credvault/core';
import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { connection, SECRET_STRINGS } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

/** A Keyv storage adapter whose backend is down: every call rejects, as a lost connection does. */
function downAdapter() {
  const fail = async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  };
  return { opts: {}, on: () => undefined, get: fail, set: fail, delete: fail, clear: fail, has: fail };
}

describe('a store that fails', () => {
  const vault = createVault({
    store: keyvStore(new Keyv({ store: downAdapter() })),
    keyring: testKeyring(),
    schema: connectionSchema,
  });

  it.each([
    ['set', () => vault.set('c1', connection())],
    ['get', () => vault.get('c1')],
    ['has', () => vault.has('c1')],
    ['delete', () => vault.delete('c1')],
  ])('makes %s reject with STORE_FAILED, the cause attached, never undefined', async (_, run) => {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'STORE_FAILED', id: 'c1' });
    expect(String((error as Error).cause)).toContain('ECONNREFUSED');
    const shown = inspect(error, { depth: 10 });
    for (const secret of SECRET_STRINGS) expect(shown).not.toContain(secret);
  });

  it('reports UNSUPPORTED when iterating a store that cannot', async () => {
    const store = keyvStore(new Keyv({ store: downAdapter() }));
    const noIterate = createVault({ store, keyring: testKeyring(), schema: connectionSchema });
    await expect(noIterate.entries().next()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
