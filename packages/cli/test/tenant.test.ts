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
