import {
  connectionSchema,
  createKeyring,
  createVault,
  envelopeKid,
  generateKey,
  isVaultError,
  type KeyEncryptionKeys,
  keyvStore,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { Tenants } from '../src/tenants/tenant-store.js';
import { connection } from './support/fixtures.js';

const k1 = { kid: 'k1', key: generateKey() };
const k2 = { kid: 'k2', key: generateKey() };

function tenantVault(
  store: VaultStore,
  options: { keys?: KeyEncryptionKeys; ttl?: number; custody?: (t: string) => KeyEncryptionKeys | 'master' } = {},
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
    expect(await vault.status()).toMatchObject({
      total: 6, // the tenant key records are the vault's own, counted apart
      kids: { '~tenant': 6 },
      vaultRecords: { indexKey: 0, tenantKeys: 2, kids: { k1: 2 }, notOnPrimary: 0 },
    });
  });

  it('keeps the old tenant key until every cache has expired, then a second run retires it', async () => {
    const store = memoryStore();
    const vault = tenantVault(store, { ttl: 60_000 });
    const other = tenantVault(store, { ttl: 60_000 }); // another instance, which caches the old key
    for (let i = 0; i < 4; i++) await vault.set(`r${i}`, rec(`r${i}`, 'p1'));
    expect((await other.get('r0'))?.accessToken).toBe('AT-r0');
    const first = await vault.rotateTenant('p1', { instancesCacheTtlMs: 150 });
    expect(first.rewrapped).toBe(4);
    expect(first.retired).toBe(false);
    expect(first.retireAfter).toBeInstanceOf(Date);
    // The other instance still holds the old keyring: it reloads on the kid it has not seen.
    expect((await other.get('r2'))?.accessToken).toBe('AT-r2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await vault.rotateTenant('p1', { instancesCacheTtlMs: 150 });
    expect(second.rewrapped).toBe(0); // resumed: nothing left to move, no new key added
    expect(second.primaryKid).toBe(first.primaryKid);
    expect(second.retired).toBe(true);
    expect((await tenantVault(store).verify()).failed).toEqual([]);
  });

  it('waits 11 minutes by default before it retires a tenant key', async () => {
    const store = memoryStore();
    const vault = tenantVault(store);
    await vault.set('r0', rec('r0', 'p1'));
    const report = await vault.rotateTenant('p1');
    expect(report.retired).toBe(false);
    const wait = (report.retireAfter?.getTime() ?? 0) - Date.now();
    expect(wait).toBeGreaterThan(10 * 60_000);
  });

  it('does not retire keys a later rotation depends on', async () => {
    const store = memoryStore();
    const tenants = () => new Tenants({ store, namespace: 't', master: createKeyring([k1]) });
    await tenants().forWrite('p1');
    const x = await tenants().beginRotation('p1'); // run X adds key 2 and checks its records...
    await tenants().endRotation('p1', x.primaryKid); // ...run Y retires key 1 meanwhile
    const third = await tenants().beginRotation('p1'); // and starts another rotation: keys 3 and 2
    await tenants().endRotation('p1', x.primaryKid); // X, late, asks to retire for key 2's rotation
    const now = await tenants().forRead('p1');
    expect(now.primaryKid).toBe(third.primaryKid);
    expect(now.kids).toEqual([third.primaryKid, x.primaryKid]); // key 2 kept: records may still be on it
  });

  it('refuses a secret or unknown tenant field, a store without compare-and-set, and a bad cache lifetime', () => {
    const base = { keyring: createKeyring([k1]), schema: connectionSchema };
    const make = (extra: object) => () => createVault({ ...base, store: memoryStore(), ...extra } as never);
    expect(make({ tenant: 'connectionToken' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'tenant' }),
    );
    expect(make({ tenant: 'nope' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'tenant' }));
    expect(make({ tenant: 'idProject', tenantCacheTtlMs: -1 })).toThrow(
      expect.objectContaining({ path: 'tenantCacheTtlMs' }),
    );
    expect(() => createVault({ ...base, store: keyvStore(), tenant: 'idProject' })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });

  it('makes one key for a tenant when its first records are written at once', async () => {
    const store = memoryStore();
    const a = tenantVault(store);
    const b = tenantVault(store);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).set(`r${i}`, rec(`r${i}`, 'p1'))));
    const fresh = tenantVault(store);
    for (let i = 0; i < 20; i++) expect((await fresh.get(`r${i}`))?.accessToken).toBe(`AT-r${i}`);
  });

  it('shreds the blind-index entries of the tenant’s records too', async () => {
    const store = memoryStore();
    const vault = createVault({
      store,
      keyring: createKeyring([k1]),
      schema: connectionSchema,
      namespace: 't',
      tenant: 'idProject',
      index: ['connectionToken'],
    });
    await vault.set('a', connection({ idConnection: 'a', idProject: 'p1', connectionToken: 'tok-a' }));
    await vault.set('b', connection({ idConnection: 'b', idProject: 'p2', connectionToken: 'tok-b' }));
    const entries = () => [...store.map.keys()].filter((k) => k.startsWith('~ix:t:'));
    expect(entries()).toHaveLength(2);
    expect(await vault.shred('p1')).toMatchObject({ keyDestroyed: true, deleted: 1 });
    expect(entries()).toHaveLength(1);
    expect((await vault.findBy('connectionToken', 'tok-b'))?.id).toBe('b');
  });

  it('seals a bring-your-own-key tenant under its own keys, which master rotation leaves alone', async () => {
    const store = memoryStore();
    const own = createKeyring([{ kid: 'acme-kms', key: generateKey() }]);
    const custody = (tenant: string) => (tenant === 'acme' ? own : 'master');
    const vault = tenantVault(store, { custody });
    await vault.set('a', rec('a', 'acme'));
    await vault.set('b', rec('b', 'other'));
    expect(envelopeKid((await store.get('t:~tenant:acme')) as string)).toBe('acme-kms');
    expect(envelopeKid((await store.get('t:~tenant:other')) as string)).toBe('k1');

    const promoted = tenantVault(store, { keys: createKeyring([k2, k1]), custody });
    expect((await promoted.rotate()).rewrapped).toBe(1); // only "other"'s key record
    expect(envelopeKid((await store.get('t:~tenant:acme')) as string)).toBe('acme-kms');

    // The tenant takes its key away: its records no longer open, nobody else's are affected.
    const elsewhere = createKeyring([{ kid: 'acme-kms-2', key: generateKey() }]);
    const revoked = tenantVault(store, {
      keys: createKeyring([k2]),
      custody: (t) => (t === 'acme' ? elsewhere : 'master'),
    });
    const audit: string[] = [];
    revoked.on('decryptFailed', (event) => audit.push(`${event.id}:${event.code}`));
    const error = await revoked.get('a').catch((e: unknown) => e);
    expect(isVaultError(error, 'TENANT_KEY_GONE')).toBe(true);
    expect(audit).toEqual(['a:TENANT_KEY_GONE']); // the audit trail sees it
    expect((await revoked.get('b'))?.accessToken).toBe('AT-b');
  });

  it('has no tenant operations without the tenant option', async () => {
    const vault = createVault({ store: memoryStore(), keyring: createKeyring([k1]), schema: connectionSchema });
    await expect(vault.shred('p1')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(vault.rotateTenant('p1')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
