import { join } from 'node:path';
import { connectionSchema, createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { suiteConnection, useTempDir } from '@credvault/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/io.js';

const dir = await useTempDir('cli-tenant', { afterAll });
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
const TENANTS = 5;
const PER_TENANT = 8;

function vault(path: string, keys: string) {
  return createVault({
    store: sqliteStore({ path }),
    keyring: parseKeyList(keys),
    schema: connectionSchema,
    namespace: 'conns',
    tenant: 'idProject',
  });
}

async function seeded(name: string): Promise<string> {
  const path = join(dir, `${name}.db`);
  const seed = vault(path, K1);
  const rows = [];
  for (let t = 0; t < TENANTS; t++)
    for (let i = 0; i < PER_TENANT; i++)
      rows.push([
        `c${t}-${i}`,
        suiteConnection(`c${t}-${i}`, { idProject: `p${t}`, accessToken: `AT-${t}-${i}` }),
      ] as const);
  await seed.setMany(rows);
  await seed.close();
  return path;
}

const common = (path: string) => ['--store', `sqlite:${path}`, '--namespace', 'conns', '--tenant-field', 'idProject'];

describe('credvault with tenant keys', () => {
  it('rotates the master key by rewrapping one key record per tenant', async () => {
    const path = await seeded('master');
    const { code, stdout } = await cli(['rotate', ...common(path), '--json'], { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.rewrapped).toBe(TENANTS);
    expect(report.kids).toEqual({ k1: TENANTS, '~tenant': TENANTS * PER_TENANT });
    const status = await cli(['status', ...common(path), '--json'], { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(JSON.parse(status.stdout).notOnPrimary).toBe(0);
    expect((await vault(path, K2).get('c3-3'))?.accessToken).toBe('AT-3-3');
  });

  it('rotates one tenant, and shreds another only with --yes', async () => {
    const path = await seeded('tenant');
    const env = { CREDVAULT_KEYS: K1 };
    const rotated = await cli(['tenant', 'rotate', 'p1', ...common(path), '--json'], env);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({
      tenant: 'p1',
      rewrapped: PER_TENANT,
      failed: [],
      retired: false,
    });
    const retired = await cli(['tenant', 'rotate', 'p1', ...common(path), '--instances-cache-ttl', '0'], env);
    expect(retired.code).toBe(0);
    expect(retired.stdout).toContain('old key retired');

    const refused = await cli(['tenant', 'shred', 'p2', ...common(path)], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await vault(path, K1).get('c2-0'))?.accessToken).toBe('AT-2-0');

    const shred = await cli(['tenant', 'shred', 'p2', ...common(path), '--yes'], env);
    expect(shred.code).toBe(0);
    expect(shred.stdout).toContain(`${PER_TENANT} records deleted`);
    const after = vault(path, K1);
    expect(await after.get('c2-0')).toBeUndefined();
    expect((await after.get('c1-5'))?.accessToken).toBe('AT-1-5');
    expect((await cli(['verify', ...common(path)], env)).code).toBe(0);
  });

  it('re-seals one tenant under fresh data keys with tenant rotate --reencrypt', async () => {
    const path = await seeded('reencrypt');
    const env = { CREDVAULT_KEYS: K1 };
    const raw = async () => {
      const store = sqliteStore({ path });
      const out = new Map<string, string>();
      for await (const [k, v] of store.entries('conns:c')) out.set(k, v);
      await store.close();
      return out;
    };
    expect((await cli(['tenant', 'rotate', 'p1', ...common(path)], env)).code).toBe(0);
    const plain = await cli(['tenant', 'rotate', 'p1', ...common(path), '--json'], env);
    expect(JSON.parse(plain.stdout)).toMatchObject({ rewrapped: 0, alreadyCurrent: PER_TENANT });
    const before = await raw();

    const run = await cli(['tenant', 'rotate', 'p1', ...common(path), '--reencrypt'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`rewrapped +${PER_TENANT}\\n`));
    expect(run.stdout).toContain(`  (${PER_TENANT} re-sealed under fresh data keys`);
    const after = await raw();
    for (const [key, value] of before) {
      if (key.startsWith('conns:c1-')) expect(after.get(key)).not.toBe(value);
      else expect(after.get(key)).toBe(value); // other tenants untouched
    }
    expect((await vault(path, K1).get('c1-4'))?.accessToken).toBe('AT-1-4');
    expect((await cli(['tenant', 'rotate', '--help'], env)).stdout).toContain('--reencrypt');
  });

  it('says so on stderr and exits 1 when shredding a tenant that has no key and no records (a typo)', async () => {
    const path = await seeded('typo');
    const env = { CREDVAULT_KEYS: K1 };
    const typo = await cli(['tenant', 'shred', 'p11', ...common(path), '--yes'], env);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe(
      'credvault: tenant "p11" has no key and no records in namespace "conns" (tenants named by --tenant-field idProject): nothing was shredded; check the name\n',
    );
    const json = await cli(['tenant', 'shred', 'p11', ...common(path), '--yes', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ tenant: 'p11', keyDestroyed: false, deleted: 0 });
    expect(json.stderr).toContain('nothing was shredded');
    // every tenant is still there; a real shred still exits 0, a second one of it exits 1
    expect(JSON.parse((await cli(['verify', ...common(path), '--json'], env)).stdout)).toMatchObject({
      scanned: TENANTS * PER_TENANT + TENANTS, // and one key record per tenant
      failed: [],
    });
    expect((await cli(['tenant', 'shred', 'p1', ...common(path), '--yes'], env)).code).toBe(0);
    const again = await cli(['tenant', 'shred', 'p1', ...common(path), '--yes'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('tenant "p1" has no key and no records');
  });

  it('needs --tenant-field for tenant commands, naming a readable field', async () => {
    const path = await seeded('args');
    const missing = await cli(['tenant', 'rotate', 'p1', '--store', `sqlite:${path}`], { CREDVAULT_KEYS: K1 });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--tenant-field');
    const secret = await cli(['tenant', 'rotate', 'p1', '--store', `sqlite:${path}`, '--tenant-field', 'accessToken'], {
      CREDVAULT_KEYS: K1,
    });
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('readable field');
  });
});
