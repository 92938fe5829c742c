import {
  connectionSchema,
  createKeyring,
  createVault,
  envelopeKid,
  generateKey,
  isVaultError,
  type KeyEncryptionKeys,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

const k1 = { kid: 'k1', key: generateKey() };
const k2 = { kid: 'k2', key: generateKey() };

function tenantVault(
  store: VaultStore,
  options: { keys?: KeyEncryptionKeys; ttl?: number; custody?: (t: string) => KeyEncryptionKeys | undefined } = {},
) {
  return createVault({
    store,
    keyring: options.keys ?? createKeyring([k1]),
    schema: connectionSchema,
    namespace: 't',
    tenant: 'idProject',
    ...(options.ttl === undefined ? {} : { tenantCacheTtlMs: options.ttl }),
    ...(options.custody === undefined ? {} : { tenantCustody: options.custody }),
  });
}

async function raw(store: VaultStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [key, value] of store.entries?.('t:') ?? []) out.set(key, value);
  return out;
}

const rec = (id: string, project: string) =>
  connection({ idConnection: id, idProject: project, accessToken: `AT-${id}` });

describe('tenant keys', () => {
  it('refuses a record whose tenant field is empty, naming the field, and stores nothing', async () => {
    const store = memoryStore();
    const vault = tenantVault(store);
    const error = await vault.set('a', rec('a', '')).catch((e: unknown) => e);
    expect(isVaultError(error, 'INVALID_ARGUMENT') || isVaultError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as { path?: string }).path).toBe('idProject');
    expect((await raw(store)).size).toBe(0);
  });

  it('does not open a record moved to another tenant by editing its readable part', async () => {
    const store = memoryStore();
    const vault = tenantVault(store);
    await vault.set('a', rec('a', 'p1'));
    await vault.set('b', rec('b', 'p2'));
    const stored = (await store.get('t:a')) as string;
    await store.set('t:a', stored.replace('"idProject":"p1"', '"idProject":"p2"'));
    const error = await tenantVault(store)
      .get('a')
      .catch((e: unknown) => e);
    expect(isVaultError(error)).toBe(true);
    expect(String(error)).not.toContain('AT-a');
  });

  it('moves records written before the vault had tenants under their tenant key on rotate, and a dry run writes nothing', async () => {
    const store = memoryStore();
    const plain = createVault({ store, keyring: createKeyring([k1]), schema: connectionSchema, namespace: 't' });
    for (let i = 0; i < 6; i++) await plain.set(`r${i}`, rec(`r${i}`, `p${i % 2}`));
    const vault = tenantVault(store);
    expect((await vault.get('r3'))?.accessToken).toBe('AT-r3'); // still opens under the master key

    const before = await raw(store);
    const dry = await vault.rotate({ dryRun: true });
    expect(dry.rewrapped).toBe(6);
    expect(await raw(store)).toEqual(before); // not even a tenant key was created

    const report = await vault.rotate();
    expect(report.rewrapped).toBe(6);
    const after = await raw(store);
    expect([...after.keys()].filter((k) => k.startsWith('t:~tenant:')).sort()).toEqual([
      't:~tenant:p0',
      't:~tenant:p1',
    ]);
    for (let i = 0; i < 6; i++) expect(envelopeKid(after.get(`t:r${i}`) as string)?.startsWith('~')).toBe(true);
    expect((await vault.status()).kids).toEqual({ k1: 2, '~tenant': 6 });
  });

  it('keeps the old tenant key until every cache has expired, then a second run retires it', async () => {
    const store = memoryStore();
    const vault = tenantVault(store, { ttl: 150 });
    for (let i = 0; i < 4; i++) await vault.set(`r${i}`, rec(`r${i}`, 'p1'));
    const first = await vault.rotateTenant('p1');
    expect(first.rewrapped).toBe(4);
    expect(first.retired).toBe(false);
    expect(first.retireAfter).toBeInstanceOf(Date);
    // An instance that cached the old key meanwhile still reads the rotated records (it reloads on an unseen kid).
    expect((await vault.get('r2'))?.accessToken).toBe('AT-r2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await vault.rotateTenant('p1');
    expect(second.rewrapped).toBe(0); // resumed: nothing left to move, no new key added
    expect(second.primaryKid).toBe(first.primaryKid);
    expect(second.retired).toBe(true);
    const keyRecord = await tenantVault(store).verify();
    expect(keyRecord.failed).toEqual([]);
  });

  it('seals a bring-your-own-key tenant under its own keys, which master rotation leaves alone', async () => {
    const store = memoryStore();
    const own = createKeyring([{ kid: 'acme-kms', key: generateKey() }]);
    const custody = (tenant: string) => (tenant === 'acme' ? own : undefined);
    const vault = tenantVault(store, { custody });
    await vault.set('a', rec('a', 'acme'));
    await vault.set('b', rec('b', 'other'));
    expect(envelopeKid((await store.get('t:~tenant:acme')) as string)).toBe('acme-kms');
    expect(envelopeKid((await store.get('t:~tenant:other')) as string)).toBe('k1');

    const promoted = tenantVault(store, { keys: createKeyring([k2, k1]), custody });
    expect((await promoted.rotate()).rewrapped).toBe(1); // only "other"'s key record
    expect(envelopeKid((await store.get('t:~tenant:acme')) as string)).toBe('acme-kms');

    // The tenant revokes its key: its records no longer open, nobody else's are affected.
    const revoked = tenantVault(store, { keys: createKeyring([k2]), custody: () => undefined });
    const error = await revoked.get('a').catch((e: unknown) => e);
    expect(isVaultError(error, 'TENANT_KEY_GONE')).toBe(true);
    expect((await revoked.get('b'))?.accessToken).toBe('AT-b');
  });

  it('has no tenant operations without the tenant option', async () => {
    const vault = createVault({ store: memoryStore(), keyring: createKeyring([k1]), schema: connectionSchema });
    await expect(vault.shred('p1')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(vault.rotateTenant('p1')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
