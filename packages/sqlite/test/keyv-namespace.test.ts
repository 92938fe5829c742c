import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionAuthSchema, createKeyring, createVault, generateKey, keyvStore } from '@credvault/core';
import KeyvSqlite from '@keyv/sqlite';
import { Keyv } from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';

const dir = await mkdtemp(join(tmpdir(), 'credvault-keyv-ns-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let n = 0;

const backends: Record<string, (namespace?: string) => Keyv> = {
  'in-memory Map': (namespace) => (namespace === undefined ? new Keyv() : new Keyv({ namespace })),
  '@keyv/sqlite': (namespace) =>
    new Keyv({
      store: new KeyvSqlite(`sqlite://${join(dir, `ns-${++n}.db`)}`),
      ...(namespace === undefined ? {} : { namespace }),
    }),
};

const record = (i: number) => ({ accessToken: `secret-${i}` });

const keyOld = { kid: 'old', key: generateKey() };
const keyNew = { kid: 'new', key: generateKey() };

describe.each(Object.entries(backends))('keyvStore over %s: the namespace rule', (_name, make) => {
  it.each([
    ['Keyv namespace equal to the vault namespace', 'connections', 'connections'],
    ['the default new Keyv() and vault namespace keyv', undefined, 'keyv'],
  ])('refuses %s with INVALID_ARGUMENT, storing nothing', async (_what, keyvNamespace, namespace) => {
    const keyv = make(keyvNamespace);
    const vault = createVault({
      store: keyvStore(keyv),
      keyring: createKeyring([keyOld]),
      schema: connectionAuthSchema,
      namespace,
    });
    await expect(vault.set('c1', record(1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', path: 'store' });
    await expect(vault.get('c1')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(vault.status()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await keyv.get(`${namespace}:c1`)).toBeUndefined();
    await keyv.disconnect();
  });

  it('sees every record in status, rotate, verify and entries with a distinct Keyv namespace', async () => {
    for (const keyvNamespace of [undefined, 'credvault']) {
      const keyv = make(keyvNamespace);
      const store = keyvStore(keyv);
      const namespace = 'connections';
      const before = createVault({ store, keyring: createKeyring([keyOld]), schema: connectionAuthSchema, namespace });
      for (let i = 0; i < 5; i++) await before.set(`c${i}`, record(i));
      const vault = createVault({
        store,
        keyring: createKeyring([keyNew, keyOld]),
        schema: connectionAuthSchema,
        namespace,
      });
      expect(await vault.status()).toMatchObject({ total: 5, kids: { old: 5 }, notOnPrimary: 5 });
      expect(await vault.rotate()).toMatchObject({ scanned: 5, rewrapped: 5, failed: [] });
      expect(await vault.status()).toMatchObject({ total: 5, kids: { new: 5 }, notOnPrimary: 0 });
      expect(await vault.verify()).toEqual({ scanned: 5, ok: 5, failed: [] });
      const ids: string[] = [];
      for await (const [id] of vault.entries()) ids.push(id);
      expect(ids.sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      await keyv.disconnect();
    }
  });

  it('fails a scan with STORE_FAILED when a key the iterator yields does not read back', async () => {
    const keyv = make('credvault');
    const store = keyvStore(keyv);
    const vault = createVault({
      store,
      keyring: createKeyring([keyOld]),
      schema: connectionAuthSchema,
      namespace: 'connections',
    });
    await vault.set('c1', record(1));
    // A Keyv whose iterator does not give its keys back as stored (another version's layout).
    const iterate = keyv.iterator as NonNullable<Keyv['iterator']>;
    keyv.iterator = async function* stripped() {
      for await (const [key, value] of iterate.call(keyv, undefined)) yield [`x${key}`, value];
    } as NonNullable<Keyv['iterator']>;
    const guarded = keyvStore(keyv);
    const again = createVault({
      store: guarded,
      keyring: createKeyring([keyOld]),
      schema: connectionAuthSchema,
      namespace: 'connections',
    });
    await expect(again.status()).rejects.toMatchObject({
      code: 'STORE_FAILED',
      message: expect.stringContaining('does not read back'),
    });
    await expect(again.rotate()).rejects.toMatchObject({ code: 'STORE_FAILED' });
    await keyv.disconnect();
  });
});
