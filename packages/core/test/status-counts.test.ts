import { connectionSchema, createKeyring, createVault, generateKey, memoryStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

const oldKey = { kid: 'old', key: generateKey() };
const newKey = { kid: 'new', key: generateKey() };

describe('vault.status() counts records only, the vault’s own records apart', () => {
  it('leaves the ~index-key record out of total, kids and notOnPrimary, and reports it in vaultRecords', async () => {
    const store = memoryStore();
    const options = { store, schema: connectionSchema, namespace: 'c', index: ['connectionToken'] } as const;
    const vault = createVault({ ...options, keyring: createKeyring([oldKey]) });
    for (let i = 0; i < 3; i++) await vault.set(`r${i}`, connection({ connectionToken: `tok-${i}` }));
    expect(await vault.status()).toEqual({
      primaryKid: 'old',
      total: 3,
      kids: { old: 3 },
      legacy: 0,
      notOnPrimary: 0,
      vaultRecords: { indexKey: 1, tenantKeys: 0, kids: { old: 1 }, notOnPrimary: 0 },
    });
    const promoted = createVault({ ...options, keyring: createKeyring([newKey, oldKey]) });
    expect(await promoted.status()).toMatchObject({
      total: 3,
      legacy: 0,
      notOnPrimary: 3,
      vaultRecords: { indexKey: 1, kids: { old: 1 }, notOnPrimary: 1 },
    });
    await promoted.rotate();
    expect(await promoted.status()).toMatchObject({
      total: 3,
      kids: { new: 3 },
      legacy: 0,
      notOnPrimary: 0,
      vaultRecords: { kids: { new: 1 }, notOnPrimary: 0 },
    });
  });

  it('leaves ~tenant: key records out of the totals and counts them in vaultRecords.tenantKeys', async () => {
    const store = memoryStore();
    const vault = createVault({
      store,
      keyring: createKeyring([oldKey]),
      schema: connectionSchema,
      namespace: 't',
      tenant: 'idProject',
    });
    for (const [id, project] of [
      ['a', 'p1'],
      ['b', 'p1'],
      ['c', 'p2'],
    ] as const)
      await vault.set(id, connection({ idConnection: id, idProject: project }));
    expect(await vault.status()).toEqual({
      primaryKid: 'old',
      total: 3,
      kids: { '~tenant': 3 },
      legacy: 0,
      notOnPrimary: 0,
      vaultRecords: { indexKey: 0, tenantKeys: 2, kids: { old: 2 }, notOnPrimary: 0 },
    });
  });
});
