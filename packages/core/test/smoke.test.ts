import { connectionSchema, createKeyring, createVault, generateKey } from '@credvault/core';
import { describe, expect, it } from 'vitest';

describe('smoke', () => {
  it('round trips', async () => {
    const vault = createVault({
      keyring: createKeyring([{ kid: 'k1', key: generateKey() }]),
      schema: connectionSchema,
    });
    const rec = {
      idConnection: 'c1',
      status: 'active',
      providerSlug: 'hubspot',
      vertical: 'crm',
      accountUrl: 'https://x',
      tokenType: 'oauth2' as const,
      accessToken: 'AT',
      refreshToken: 'RT',
      expirationTimestamp: '2024-10-01T12:00:00Z',
      createdAt: new Date(),
      connectionToken: 'CT',
      idProject: 'p',
      idLinkedUser: 'u',
    };
    await vault.set('c1', rec);
    const raw = await vault.store.get('default:c1');
    console.log(raw);
    expect(await vault.get('c1')).toEqual({ ...rec, expirationTimestamp: new Date(rec.expirationTimestamp) });
  });
});
