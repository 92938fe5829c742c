import { join } from 'node:path';
import {
  type ConnectionInput,
  connectionSchema,
  createVault,
  envelopeKid,
  formatKeyEntry,
  generateKey,
  isVaultError,
  memoryStore,
  parseKeyList,
  type VaultStore,
} from '@credvault/core';
import { suiteConnection, usePostgresServer, useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFromSpec } from './support/stores.js';

const TENANTS = 20;
const PER_TENANT = 10;
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
const dir = await useTempDir('tenants', { afterAll });
const redis = useRedisServer({ beforeAll, afterAll });
const postgres = usePostgresServer({ beforeAll, afterAll });

const tenant = (t: number) => `project-${t}`;
const record = (t: number, i: number): ConnectionInput =>
  suiteConnection(`c${t}-${i}`, { idProject: tenant(t), accessToken: `AT-${t}-${i}` });

function open(store: VaultStore, keys: string, namespace: string, cacheTtlMs = 60_000) {
  return createVault({
    store,
    keyring: parseKeyList(keys),
    schema: connectionSchema,
    namespace,
    tenant: 'idProject',
    tenantCacheTtlMs: cacheTtlMs,
  });
}

/** Every `[key, value]` of the namespace: a backup. */
async function backup(store: VaultStore, namespace: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [key, value] of store.entries?.(`${namespace}:`) ?? []) out.push([key, value]);
  return out;
}

async function seed(store: VaultStore, namespace: string): Promise<void> {
  const vault = open(store, K1, namespace);
  const rows: [string, ConnectionInput][] = [];
  for (let t = 0; t < TENANTS; t++) for (let i = 0; i < PER_TENANT; i++) rows.push([`c${t}-${i}`, record(t, i)]);
  await vault.setMany(rows);
}

async function lifecycle(makeStore: () => VaultStore, namespace: string): Promise<void> {
  const store = makeStore();
  await seed(store, namespace);

  // Every record's data key is wrapped under its tenant's key; tenant keys are one record each, under k1.
  const before = await backup(store, namespace);
  const tenantRecords = before.filter(([key]) => key.startsWith(`${namespace}:~tenant:`));
  expect(tenantRecords.map(([, value]) => envelopeKid(value))).toEqual(Array(TENANTS).fill('k1'));
  const dataKids = new Set(before.filter(([key]) => !key.includes(':~')).map(([, value]) => envelopeKid(value)));
  expect(dataKids.size).toBe(TENANTS); // one tenant kid per tenant, none of them k1
  expect([...dataKids].every((kid) => kid?.startsWith('~'))).toBe(true);

  // Master rotation rewraps one key per tenant and leaves every record's bytes alone.
  const promoted = open(store, `${K2},${K1}`, namespace);
  const rotation = await promoted.rotate();
  expect(rotation.failed).toEqual([]);
  expect(rotation.rewrapped).toBe(TENANTS);
  expect(rotation.scanned).toBe(TENANTS * (PER_TENANT + 1));
  const after = new Map(await backup(store, namespace));
  for (const [key, value] of before) {
    if (!key.includes(':~')) expect(after.get(key)).toBe(value);
  }
  expect((await promoted.status()).notOnPrimary).toBe(0);

  // k1 retired: everything still opens.
  const onlyK2 = open(store, K2, namespace);
  expect((await onlyK2.get('c3-4'))?.accessToken).toBe('AT-3-4');

  // One tenant's key rotation touches that tenant's records only.
  const shortCache = open(store, K2, namespace, 0);
  const tenantRotation = await shortCache.rotateTenant(tenant(1), { instancesCacheTtlMs: 0 });
  expect(tenantRotation.failed).toEqual([]);
  expect(tenantRotation.rewrapped).toBe(PER_TENANT);
  expect(tenantRotation.retired).toBe(true); // no instance caches keys: the old key is gone in the same run
  const rotated = new Map(await backup(store, namespace));
  expect(rotated.get(`${namespace}:c1-0`)).not.toBe(after.get(`${namespace}:c1-0`));
  expect(rotated.get(`${namespace}:c2-0`)).toBe(after.get(`${namespace}:c2-0`));
  expect((await createFresh(store, namespace).get('c1-7'))?.accessToken).toBe('AT-1-7');

  // Shred: one call; the tenant's records are gone and nothing of it opens, the others do.
  const snapshot = await backup(store, namespace); // a backup taken before the shred
  const shred = await onlyK2.shred(tenant(2));
  expect(shred).toEqual({ tenant: tenant(2), keyDestroyed: true, deleted: PER_TENANT });
  expect(await onlyK2.get('c2-0')).toBeUndefined();
  expect((await onlyK2.get('c5-5'))?.accessToken).toBe('AT-5-5');

  // The backup restored while k2 is still the master key opens (the shred holds for backups
  // only once that key is retired: docs/tenant-keys.md).
  for (const [key, value] of snapshot) if (key.includes('c2-') || key.endsWith(tenant(2))) await store.set(key, value);
  expect((await createFresh(store, namespace, K2).get('c2-3'))?.accessToken).toBe('AT-2-3');
  await onlyK2.shred(tenant(2)); // the operator shreds again after the mistaken restore

  // Steps 2-5: a new master key k3, rotate (tenant key records only), retire k2.
  const K3 = formatKeyEntry('k3', generateKey());
  expect((await open(store, `${K3},${K2}`, namespace).rotate()).rewrapped).toBe(TENANTS - 1);
  const onlyK3 = createFresh(store, namespace, K3);
  for (const [key, value] of snapshot) if (key.includes('c2-') || key.endsWith(tenant(2))) await store.set(key, value);
  const error = await onlyK3.get('c2-3').catch((e: unknown) => e);
  expect(isVaultError(error, 'TENANT_KEY_GONE')).toBe(true);
  expect(String(error)).not.toContain('AT-2-3');
  expect((await onlyK3.get('c7-1'))?.accessToken).toBe('AT-7-1');
  expect((await onlyK3.verify()).failed.map((f) => f.code)).toContain('TENANT_KEY_GONE');
  await store.close?.();
}

function createFresh(store: VaultStore, namespace: string, keys = K2) {
  return open(store, keys, namespace);
}

describe('tenant keys', () => {
  it('in memory: master rotation costs one rewrap per tenant; tenant rotation; shred holds for backups', () =>
    lifecycle(() => memoryStore(), 'mem'));
  it('on SQLite', () => lifecycle(() => storeFromSpec(`sqlite:${join(dir, 'tenants.db')}`), 'sq'), 60_000);
  it.skipIf(!redis.available)('on Redis', () => lifecycle(() => storeFromSpec(redis.url()), 'rd'), 60_000);
  it.skipIf(!postgres.available)('on PostgreSQL', () => lifecycle(() => storeFromSpec(postgres.url()), 'pg'), 60_000);
});
