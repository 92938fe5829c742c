import { KMS } from '@aws-sdk/client-kms';
import {
  type ConnectionInput,
  connectionSchema,
  createKeyring,
  createVault,
  envelopeKid,
  generateKey,
  isVaultError,
  type KeyEncryptionKeys,
  memoryStore,
  remoteKeys,
} from '@credvault/core';
import { suiteConnection, useKmsServer } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { awsKmsKey } from '../src/index.js';

const { describe, it, expect } = vitest;
const kms = useKmsServer(vitest);
const k1 = { kid: 'k1', key: generateKey() };
const master = createKeyring([k1]);
const master2 = createKeyring([{ kid: 'k2', key: generateKey() }, k1]);

describe('bring-your-own-key: a tenant key held by the tenant’s own KMS key', () => {
  it('seals the tenant key under the tenant’s KMS key, one Decrypt per instance, revocable by the tenant', async () => {
    const server = kms.server();
    const key = server.createKey('acme-byok');
    const client = new KMS({
      region: server.region,
      endpoint: server.url,
      credentials: { accessKeyId: 'AKIDACMETENANT', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });
    const acme = remoteKeys([{ kid: 'acme-kms', remote: awsKmsKey({ client, keyId: key.arn }) }]);
    const custody = (tenant: string): KeyEncryptionKeys | 'master' => (tenant === 'acme' ? acme : 'master');
    const store = memoryStore();
    const open = (keyring: KeyEncryptionKeys = master) =>
      createVault({
        store,
        keyring,
        schema: connectionSchema,
        namespace: 'c',
        tenant: 'idProject',
        tenantCustody: custody,
      });
    const rec = (id: string, idProject: string): ConnectionInput =>
      suiteConnection(id, { idProject, accessToken: `AT-${id}` });

    const writer = open();
    for (let i = 0; i < 20; i++) await writer.set(`a${i}`, rec(`a${i}`, 'acme'));
    await writer.set('o1', rec('o1', 'other'));
    expect(envelopeKid((await store.get('c:~tenant:acme')) as string)).toBe('acme-kms');
    expect(server.calls.Encrypt).toBe(1); // the tenant key was made once and sealed by the tenant's KMS key

    const decryptsBefore = server.calls.Decrypt ?? 0;
    const reader = open();
    for (let round = 0; round < 5; round++)
      for (let i = 0; i < 20; i++) expect((await reader.get(`a${i}`))?.accessToken).toBe(`AT-a${i}`);
    expect((server.calls.Decrypt ?? 0) - decryptsBefore).toBe(1); // 100 reads, one KMS call

    // The operator's master rotation does not touch what the tenant holds.
    const promoted = open(master2);
    const report = await promoted.rotate();
    expect(report.failed).toEqual([]);
    expect(report.rewrapped).toBe(1); // "other"'s key record only
    expect(envelopeKid((await store.get('c:~tenant:acme')) as string)).toBe('acme-kms');

    // The tenant disables its key: nothing of theirs opens in a new instance; others are unaffected.
    key.enabled = false;
    const after = open(master2);
    const error = await after.get('a3').catch((e: unknown) => e);
    expect(isVaultError(error, 'KEY_UNAVAILABLE')).toBe(true);
    expect(String(error)).not.toContain('AT-a3');
    expect((await after.get('o1'))?.accessToken).toBe('AT-o1');
  });
});
