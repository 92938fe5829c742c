import { createKeyring, generateKey, memoryStore, type VaultStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { keyBytes, type TenantKeyring } from '../src/tenants/tenant-keyring.js';
import { Tenants, type TenantsOptions } from '../src/tenants/tenant-store.js';

const master = createKeyring([{ kid: 'k1', key: generateKey() }]);
const ctx = new TextEncoder().encode('ctx');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tenants(store: VaultStore, options: Partial<TenantsOptions> = {}): Tenants {
  return new Tenants({ store, namespace: 't', master, ...options });
}

/** The keyring's live key arrays, taken while it holds them: after a wipe they must read all zero. */
function liveKeys(keyring: TenantKeyring): Uint8Array[] {
  const keys = keyBytes(keyring);
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) expect(key.some((byte) => byte !== 0)).toBe(true);
  return keys;
}

const allZero = (keys: readonly Uint8Array[]) => keys.every((key) => key.every((byte) => byte === 0));

describe('tenant key bytes do not outlive their use', { timeout: 10_000 }, () => {
  it('shred wipes at once every keyring of the tenant this instance holds, the replaced ones included', async () => {
    const store = memoryStore();
    const t = tenants(store); // default hold: a minute
    const first = await t.forWrite('p1');
    const firstKeys = liveKeys(first);
    const rotated = await t.beginRotation('p1'); // replaces `first` in the cache
    const rotatedKeys = liveKeys(rotated);
    expect(await t.destroy('p1')).toBe(true);
    expect(allZero(firstKeys)).toBe(true);
    expect(allZero(rotatedKeys)).toBe(true);
    expect(t.sizes()).toEqual({ cached: 0, retired: 0 });
    await expect(t.forRead('p1')).rejects.toMatchObject({ code: 'TENANT_KEY_GONE' });
  });

  it('shred also wipes the keyrings a zero cache lifetime loaded and dropped on earlier reads', async () => {
    const store = memoryStore();
    await tenants(store).forWrite('p1');
    const t = tenants(store, { cacheTtlMs: 0 });
    const seen: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) seen.push(...liveKeys(await t.forRead('p1')));
    await t.destroy('p1');
    expect(allZero(seen)).toBe(true);
  });

  it('sweeps and wipes an expired tenant key once nothing uses it, without being asked', async () => {
    const store = memoryStore();
    await tenants(store).forWrite('p1');
    const t = tenants(store, { cacheTtlMs: 50, holdMs: 50 });
    const keys = liveKeys(await t.forRead('p1'));
    await sleep(400);
    expect(allZero(keys)).toBe(true);
    expect(t.sizes()).toEqual({ cached: 0, retired: 0 });
    expect((await t.forRead('p1')).kids).toHaveLength(1); // loads again from the store
    t.clear();
  });

  it('wipes a replaced keyring once no operation has used it for holdMs, and not while one still does', async () => {
    const store = memoryStore();
    const t = tenants(store, { holdMs: 150 });
    const before = await t.forWrite('p1');
    const kid = before.primaryKid;
    const keys = liveKeys(before);
    const dek = generateKey();
    const wrapped = before.wrap(kid, dek, ctx);
    await t.beginRotation('p1'); // `before` is replaced, but an operation may still hold it
    for (let i = 0; i < 5; i++) {
      await sleep(60);
      expect(before.unwrap(kid, wrapped, ctx)).toEqual(dek); // in use: kept past holdMs in all
    }
    expect(allZero(keys)).toBe(false);
    await sleep(500); // then left alone
    expect(allZero(keys)).toBe(true);
    expect(() => before.unwrap(kid, wrapped, ctx)).toThrow(expect.objectContaining({ code: 'UNKNOWN_KEY' }));
    t.clear();
  });

  it('bounds the cache (least recently used out first) and wipes what it evicts', async () => {
    const store = memoryStore();
    const t = tenants(store, { maxEntries: 3, holdMs: 50 });
    const first = liveKeys(await t.forWrite('p0'));
    for (let i = 1; i < 10; i++) {
      await t.forWrite(`p${i}`);
      if (i < 5) await t.forRead('p1'); // p1 is in use: it stays
      expect(t.sizes().cached).toBeLessThanOrEqual(3);
    }
    await sleep(300);
    expect(allZero(first)).toBe(true);
    expect(t.sizes()).toEqual({ cached: 3, retired: 0 });
    expect((await t.forRead('p0')).kids).toHaveLength(1); // evicted tenants load again
    t.clear();
  });

  it('keeps 10,000 tenants by default, and a cache lifetime that expires reuses the keyring of an unchanged record', async () => {
    const store = memoryStore();
    await tenants(store).forWrite('p1');
    const t = tenants(store, { cacheTtlMs: 0 });
    expect(t.maxEntries).toBe(10_000);
    const a = await t.forRead('p1');
    const b = await t.forRead('p1');
    expect(b).toBe(a); // no second copy of the key bytes for the same stored record
    t.clear();
  });

  it('refuses a bad maxEntries or holdMs', () => {
    const store = memoryStore();
    expect(() => tenants(store, { maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => tenants(store, { holdMs: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
