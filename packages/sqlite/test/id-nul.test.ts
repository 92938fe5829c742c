import { connectionAuthSchema, createKeyring, createVault, generateKey, memoryStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';

const connection = () => ({ accessToken: 'at' });
const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);

describe('an id holding U+0000 (PostgreSQL text cannot hold it): one rule for every store', () => {
  it.each([
    ['memory', () => memoryStore()],
    ['sqlite', () => sqliteStore({ path: ':memory:' })],
  ])(
    'is refused by set, setMany and update on the %s store with INVALID_ARGUMENT, storing nothing',
    async (_name, make) => {
      const store = make();
      const vault = createVault({ store, keyring, schema: connectionAuthSchema, namespace: 'n' });
      for (const id of ['a\u0000b', '\u0000', 'end\u0000']) {
        await expect(vault.set(id, connection())).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await expect(vault.setMany([[id, connection()]])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await expect(vault.update(id, () => connection())).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      }
      await vault.set('a\u0001b', connection()); // other control characters stay allowed
      expect((await vault.status()).total).toBe(1);
      await store.close?.();
    },
  );
});
