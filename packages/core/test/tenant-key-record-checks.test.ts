import { connectionSchema, createKeyring, createVault, generateKey, memoryStore } from '@credvault/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openRecord, sealRecord } from '../src/format/index.js';
import { TenantKeyring } from '../src/tenants/tenant-keyring.js';
import { connection } from './support/fixtures.js';

/** Issue 31 leftovers: `verify` reads a tenant key record as strictly as a read does; a dry run wipes its throwaway keys. */

const master = createKeyring([{ kid: 'k1', key: generateKey() }]);
const options = (store: ReturnType<typeof memoryStore>) => ({
  store,
  keyring: master,
  schema: connectionSchema,
  namespace: 't',
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('verify of a tenant key record', () => {
  it('reports a ~tenant: record whose readable part is not {}', async () => {
    const store = memoryStore();
    const vault = createVault({ ...options(store), tenant: 'idProject' });
    await vault.set('c1', connection({ idProject: 'acme' }));
    expect((await vault.verify()).failed).toEqual([]);
    const id = '~tenant:acme';
    const { secret } = await openRecord(master, 't', id, store.map.get(`t:${id}`));
    // The same keys, sealed with a readable member: FORMAT.md says the readable part is exactly {}.
    store.map.set(`t:${id}`, await sealRecord(master, 't', id, { readable: '{"note":"x"}', secret }));
    const report = await createVault({ ...options(store), tenant: 'idProject' }).verify();
    expect(report.failed).toContainEqual(expect.objectContaining({ id, code: 'DECRYPT_FAILED' }));
  });
});

describe('a dry-run master rotation', () => {
  it('wipes the throwaway tenant keyring it made for a tenant without a key', async () => {
    const store = memoryStore();
    const before = createVault(options(store)); // records written before the vault had tenants
    await before.set('c1', connection({ idProject: 'acme' }));
    await before.set('c2', connection({ idProject: 'acme' }));
    const made: TenantKeyring[] = [];
    const create = TenantKeyring.create.bind(TenantKeyring);
    vi.spyOn(TenantKeyring, 'create').mockImplementation((tenant: string) => {
      const keys = create(tenant);
      made.push(keys);
      return keys;
    });
    const report = await createVault({ ...options(store), tenant: 'idProject' }).rotate({ dryRun: true });
    expect(report.rewrapped).toBe(2);
    expect(made.length).toBeGreaterThan(0);
    expect(made.every((keys) => keys.wiped)).toBe(true);
    expect([...store.map.keys()].some((key) => key.includes('~tenant:'))).toBe(false);
  });
});
