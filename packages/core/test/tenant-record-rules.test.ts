import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { toBase64url } from '../src/crypto/base64url.js';
import { sealRecord } from '../src/format/envelope.js';
import { Tenants } from '../src/tenants/tenant-store.js';
import { connection } from './support/fixtures.js';

/** FORMAT.md "Tenant keys": what a reader accepts in a `~tenant:` record, and the codes it fails with. */
const master = createKeyring([{ kid: 'k1', key: generateKey() }]);
const kidA = `~${toBase64url(new Uint8Array(16).fill(1))}`;
const kidB = `~${toBase64url(new Uint8Array(16).fill(2))}`;
const keyA = toBase64url(new Uint8Array(32).fill(3));

/** Writes `~tenant:p1` as another implementation might, sealed under the master keys. */
async function writeKeyRecord(store: VaultStore, secret: string, readable = '{}'): Promise<void> {
  await store.set('t:~tenant:p1', await sealRecord(master, 't', '~tenant:p1', { readable, secret }));
}

async function openError(secret: string, readable = '{}'): Promise<unknown> {
  const store = memoryStore();
  await writeKeyRecord(store, secret, readable);
  return new Tenants({ store, namespace: 't', master }).forRead('p1').then(
    () => 'accepted',
    (error: unknown) => error,
  );
}

const good = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ keys: { [kidA]: keyA }, primary: kidA, since: 1_700_000_000_000, ...over });

describe('tenant key records: reader rules', () => {
  it('accepts the canonical record the writer writes, since 0 and 2^53 - 1 included', async () => {
    expect(await openError(good())).toBe('accepted');
    expect(await openError(good({ since: 0 }))).toBe('accepted');
    expect(await openError(good({ since: Number.MAX_SAFE_INTEGER }))).toBe('accepted');
  });

  it('refuses a readable part other than exactly {} with DECRYPT_FAILED', async () => {
    for (const readable of ['{"a":1}', '{"~storedAt":"2026-01-01T00:00:00.000Z"}', '{ }', '[]']) {
      expect(await openError(good(), readable)).toMatchObject({ code: 'DECRYPT_FAILED' });
    }
  });

  it('refuses extra members, missing members and a secret text that is not canonical with DECRYPT_FAILED', async () => {
    const cases = [
      good({ extra: 1 }),
      good({ __proto__x: 1 }),
      JSON.stringify({ keys: { [kidA]: keyA }, primary: kidA }),
      ` ${good()}`,
      JSON.stringify({ since: 1, primary: kidA, keys: { [kidA]: keyA } }), // members out of order
      good().replace('"since":1700000000000', '"since":1.7e12'),
    ];
    for (const secret of cases) expect(await openError(secret)).toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('refuses a since that is not a whole number from 0 to 2^53 - 1', async () => {
    for (const since of [-1, 1.5, '1700000000000', null, 2 ** 53]) {
      expect(await openError(good({ since }))).toMatchObject({ code: 'DECRYPT_FAILED' });
    }
  });

  it('refuses bad kids, bad keys, no key and a primary it does not hold', async () => {
    const bad = [
      good({ keys: {} }),
      good({ keys: { [`~${'!'.repeat(22)}`]: keyA }, primary: `~${'!'.repeat(22)}` }),
      good({ keys: { k1: keyA }, primary: 'k1' }),
      good({ keys: { [kidA]: toBase64url(new Uint8Array(31)) } }),
      good({ keys: { [kidA]: `${keyA}=` } }),
      good({ primary: kidB }),
      good({ keys: { [kidA]: 42 } }),
    ];
    for (const secret of bad) expect(await openError(secret)).toMatchObject({ code: 'DECRYPT_FAILED' });
  });
});

describe('tenant records: error codes', () => {
  const tenantVault = (store: VaultStore) =>
    createVault({ store, keyring: master, schema: connectionSchema, namespace: 't', tenant: 'idProject' });

  it('a record under a tenant kid its tenant key record does not hold is UNKNOWN_KEY', async () => {
    const store = memoryStore();
    const vault = tenantVault(store);
    await vault.set('r1', connection({ idConnection: 'r1', idProject: 'p1' }));
    // The tenant key record now holds another key only (its old key retired, say, and the record restored from a backup).
    await writeKeyRecord(store, good({ keys: { [kidB]: keyA }, primary: kidB }));
    await expect(tenantVault(store).get('r1')).rejects.toMatchObject({ code: 'UNKNOWN_KEY', id: 'r1' });
  });

  it('a bad tenant value is INVALID_ARGUMENT naming the field at write, DECRYPT_FAILED at read', async () => {
    const store = memoryStore();
    const vault = tenantVault(store);
    for (const idProject of ['', 'x'.repeat(513), '\ud800'])
      await expect(vault.set('r1', connection({ idConnection: 'r1', idProject }))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        path: 'idProject',
      });
    // Stored by a writer without tenants: its readable part names no usable tenant.
    const plain = createVault({ store, keyring: master, schema: connectionSchema, namespace: 't' });
    await plain.set('r2', connection({ idConnection: 'r2', idProject: '' }));
    const stored = (await store.get('t:r2')) as string;
    // Under a tenant kid, the reader has to take the tenant from the readable part.
    await store.set('t:r3', stored.replace(/^cv1\.k1\./, `cv1.${kidA}.`));
    await expect(tenantVault(store).get('r3')).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });
});
