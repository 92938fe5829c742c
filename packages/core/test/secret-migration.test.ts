import { createKeyring, createVault, defineCredentialSchema, generateKey, memoryStore } from '@credvault/core';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';

// Version 1 of an application's schema keeps `webhookSecret` readable by mistake; version 2 seals it.
const fields = v.strictObject({ account: v.string(), apiKey: v.string(), webhookSecret: v.optional(v.string()) });
const v1 = defineCredentialSchema(fields, { secret: ['apiKey'] });
const v2 = defineCredentialSchema(fields, { secret: ['apiKey', 'webhookSecret'] });
const WEBHOOK = 'whsec-do-not-leak-8c1f';

function stores() {
  const store = memoryStore();
  const oldKey = generateKey();
  const old = createKeyring([{ kid: 'old', key: oldKey }]);
  const next = createKeyring([
    { kid: 'new', key: generateKey() },
    { kid: 'old', key: oldKey },
  ]);
  return { store, old, next };
}

describe('a field added to the secret list: SECRET_IN_CLEAR, then rotate --reencrypt', () => {
  it('reports the field until rotation with reencrypt seals it; plain rotation does not', async () => {
    const { store, old } = stores();
    const before = createVault({ store, keyring: old, schema: v1, namespace: 'm' });
    for (let i = 0; i < 5; i++)
      await before.set(`r${i}`, { account: `a${i}`, apiKey: `k${i}`, webhookSecret: WEBHOOK });
    await before.set('no-webhook', { account: 'b', apiKey: 'kb' });
    expect([...store.map.values()].filter((value) => value.includes(WEBHOOK))).toHaveLength(5);

    const after = createVault({ store, keyring: old, schema: v2, namespace: 'm' });
    await expect(after.get('r0')).rejects.toMatchObject({ code: 'SECRET_IN_CLEAR', path: 'webhookSecret' });
    const report = await after.verify();
    expect(report.failed).toHaveLength(5);
    expect(report.failed[0]).toEqual({ id: 'r0', code: 'SECRET_IN_CLEAR', path: 'webhookSecret' });

    // A plain rotation skips records already on the primary kid: nothing moves.
    expect((await after.rotate()).rewrapped).toBe(0);
    expect((await after.verify()).failed).toHaveLength(5);

    const dryRun = await after.rotate({ reencrypt: true, dryRun: true });
    expect(dryRun.rewrapped).toBe(6);
    expect([...store.map.values()].filter((value) => value.includes(WEBHOOK))).toHaveLength(5);

    const moved = await after.rotate({ reencrypt: true });
    expect([moved.rewrapped, moved.failed.length]).toEqual([6, 0]);
    expect([...store.map.values()].some((value) => value.includes(WEBHOOK))).toBe(false);
    expect(await after.get('r3')).toEqual({ account: 'a3', apiKey: 'k3', webhookSecret: WEBHOOK });
    expect(await after.get('no-webhook')).toEqual({ account: 'b', apiKey: 'kb' });
    expect(await after.verify()).toMatchObject({ scanned: 6, ok: 6, failed: [] });
    for await (const [id] of after.entries({ where: { account: 'a1' } })) expect(id).toBe('r1');
  });

  it('moves the field while rotating to a new key, and keeps ~storedAt', async () => {
    const { store, old, next } = stores();
    await createVault({ store, keyring: old, schema: v1, namespace: 'm' }).set('r', {
      account: 'a',
      apiKey: 'k',
      webhookSecret: WEBHOOK,
    });
    const storedAt = /"~storedAt":"[^"]+"/.exec(store.map.get('m:r') as string)?.[0];
    expect(storedAt).toBeDefined();
    const vault = createVault({ store, keyring: next, schema: v2, namespace: 'm' });
    expect((await vault.rotate({ reencrypt: true })).rewrapped).toBe(1);
    const stored = store.map.get('m:r') as string;
    expect(stored.startsWith('cv1.new.')).toBe(true);
    expect(stored).not.toContain(WEBHOOK);
    expect(stored).toContain(storedAt as string);
    expect(await vault.get('r')).toEqual({ account: 'a', apiKey: 'k', webhookSecret: WEBHOOK });
  });

  it('lifts a secret field into the readable part when the schema stops sealing it', async () => {
    const { store, old } = stores();
    await createVault({ store, keyring: old, schema: v2, namespace: 'm' }).set('r', {
      account: 'a',
      apiKey: 'k',
      webhookSecret: 'w',
    });
    const after = createVault({ store, keyring: old, schema: v1, namespace: 'm' });
    expect(await after.get('r')).toEqual({ account: 'a', apiKey: 'k', webhookSecret: 'w' }); // sealed is accepted
    await after.rotate({ reencrypt: true });
    expect(store.map.get('m:r')).toContain('"webhookSecret":"w"');
    expect(await after.get('r')).toEqual({ account: 'a', apiKey: 'k', webhookSecret: 'w' });
  });

  it('leaves a record with a field in both parts as it was, and reports it', async () => {
    const { store, old } = stores();
    const vault = createVault({ store, keyring: old, schema: v2, namespace: 'm' });
    await vault.set('r', { account: 'a', apiKey: 'k', webhookSecret: 'w' });
    const { sealRecord } = await import('../src/format/envelope.js');
    const bad = await sealRecord(old, 'm', 'bad', {
      readable: '{"account":"a","webhookSecret":"w1"}',
      secret: '{"apiKey":"k","webhookSecret":"w2"}',
    });
    store.map.set('m:bad', bad);
    const report = await vault.rotate({ reencrypt: true });
    expect(report.failed).toEqual([{ id: 'bad', code: 'DECRYPT_FAILED' }]);
    expect(store.map.get('m:bad')).toBe(bad);
  });
});
