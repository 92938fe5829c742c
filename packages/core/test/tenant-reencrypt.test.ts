import { createKeyring, createVault, defineCredentialSchema, generateKey, memoryStore } from '@credvault/core';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';

// Version 1 keeps `webhookSecret` readable by mistake; version 2 seals it. `account` names the tenant.
const fields = v.strictObject({ account: v.string(), apiKey: v.string(), webhookSecret: v.optional(v.string()) });
const v1 = defineCredentialSchema(fields, { secret: ['apiKey'] });
const v2 = defineCredentialSchema(fields, { secret: ['apiKey', 'webhookSecret'] });
const WEBHOOK = 'whsec-tenant-do-not-leak-41aa';
const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);

async function migrated() {
  const store = memoryStore();
  const options = { store, keyring, namespace: 'm', tenant: 'account' } as const;
  const before = createVault({ ...options, schema: v1 });
  const records = {
    r0: { account: 'p1', apiKey: 'k0', webhookSecret: WEBHOOK },
    r1: { account: 'p1', apiKey: 'k1', webhookSecret: WEBHOOK },
    r2: { account: 'p2', apiKey: 'k2', webhookSecret: WEBHOOK },
  };
  for (const [id, record] of Object.entries(records)) await before.set(id, record);
  const after = createVault({ ...options, schema: v2 });
  expect((await after.verify()).failed.map((f) => f.code)).toEqual(Array(3).fill('SECRET_IN_CLEAR'));
  return { store, after, records };
}

const leaked = (store: ReturnType<typeof memoryStore>) => [...store.map.values()].filter((s) => s.includes(WEBHOOK));

describe('rotate({ reencrypt }) on a tenant vault', () => {
  it('seals tenant-keyed records anew under their tenant key: verify reports nothing, every record opens', async () => {
    const { store, after, records } = await migrated();
    const report = await after.rotate({ reencrypt: true });
    const { scanned, rewrapped, failed, alreadyCurrent, changedMeanwhile } = report;
    expect(rewrapped + failed.length + alreadyCurrent + changedMeanwhile).toBe(scanned);
    expect(failed).toEqual([]);
    expect(scanned).toBe(5); // three records and the two tenant key records
    expect(leaked(store)).toEqual([]);
    expect(await after.verify()).toMatchObject({ scanned: 5, failed: [] });
    for (const [id, record] of Object.entries(records)) expect(await after.get(id)).toEqual(record);
    expect((await after.status()).kids).toMatchObject({ '~tenant': 3 });
  });

  it('reports a record of a shredded tenant as failed instead of skipping it', async () => {
    const { store, after } = await migrated();
    const kept = store.map.get('m:r2') as string;
    await after.shred('p2');
    store.map.set('m:r2', kept); // a copy restored after the shred
    const report = await after.rotate({ reencrypt: true });
    expect(report.failed).toEqual([{ id: 'r2', code: 'TENANT_KEY_GONE' }]);
    const { scanned, rewrapped, failed, alreadyCurrent, changedMeanwhile } = report;
    expect(rewrapped + failed.length + alreadyCurrent + changedMeanwhile).toBe(scanned);
  });

  it('rotateTenant(tenant, { reencrypt: true }) seals that tenant’s records anew and moves the field', async () => {
    const { store, after, records } = await migrated();
    const report = await after.rotateTenant('p1', { reencrypt: true });
    expect([report.rewrapped, report.failed]).toEqual([2, []]);
    expect(leaked(store)).toHaveLength(1); // p2's record is p2's rotation's
    expect((await after.verify()).failed.map((f) => f.id)).toEqual(['r2']);
    expect(await after.get('r0')).toEqual(records.r0);
    expect(await after.get('r1')).toEqual(records.r1);
  });
});
