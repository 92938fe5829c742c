import { connectionSchema, createKeyring, createVault, generateKey, isVaultError } from '@credvault/core';
import { SUITE_SECRETS, suiteConnection } from './fixture.js';
import { type MakeStore, type SuitePartOptions, suiteStores, type TestApi } from './suite-context.js';

/**
 * The part of the compliance suite that runs a vault on the store: round trip, no secret in
 * the raw value, filtering (where the store iterates), tampering refused, and key rotation
 * (where the store iterates) to a kid as long and to a longer one, each record's sealed part and
 * readable text kept byte for byte.
 */
export function vaultOnStoreSuite(test: TestApi, makeStore: MakeStore, options: SuitePartOptions = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);

  it.skipIf(options.skip === true)(
    'carries a vault: round trip, no secret in the raw value, tampering refused',
    async () => {
      const { store, p } = await setup();
      const keyring = createKeyring([{ kid: 'suite', key: generateKey() }]);
      const vault = createVault({ store, keyring, schema: connectionSchema, namespace: p });
      await vault.set('c1', suiteConnection('c1'));
      await vault.set('c2', suiteConnection('c2', { idProject: 'project-2' }));
      expect((await vault.get('c1'))?.accessToken).toBe(SUITE_SECRETS[0]);
      const raw = (await store.get(`${p}:c1`)) as string;
      for (const secret of SUITE_SECRETS) expect(raw).not.toContain(secret);
      if (store.entries !== undefined) {
        const inProject2 = [];
        for await (const [id] of vault.entries({ where: { idProject: 'project-2' } })) inProject2.push(id);
        expect(inProject2).toEqual(['c2']);
      }
      await store.set(`${p}:c1`, raw.replace('"idProject":"project-1"', '"idProject":"project-2"'));
      const error = await vault.get('c1').catch((e: unknown) => e);
      expect(isVaultError(error, 'DECRYPT_FAILED')).toBe(true);
      await store.set(`${p}:c2`, raw);
      expect(isVaultError(await vault.get('c2').catch((e: unknown) => e), 'DECRYPT_FAILED')).toBe(true);
    },
  );

  it.skipIf(options.skip === true)('carries a rotation: to a kid as long, then to a longer one', async () => {
    const { store, p } = await setup();
    if (store.entries === undefined) return; // rotation scans the store
    const keys = [{ kid: 'suite', key: generateKey() }];
    const ids = ['c1', 'c2', 'c3'];
    const writer = createVault({ store, keyring: createKeyring(keys), schema: connectionSchema, namespace: p });
    for (const id of ids) await writer.set(id, suiteConnection(id));
    const tail = async (id: string) => ((await store.get(`${p}:${id}`)) as string).split('.').slice(3).join('.');
    const tails = await Promise.all(ids.map(tail));
    for (const kid of ['suit2', 'suite-2026-12']) {
      keys.unshift({ kid, key: generateKey() });
      const vault = createVault({ store, keyring: createKeyring(keys), schema: connectionSchema, namespace: p });
      expect(await vault.rotate({ batchSize: 2 })).toMatchObject({ rewrapped: 3, failed: [] });
      for (const [i, id] of ids.entries()) {
        expect((await store.get(`${p}:${id}`))?.startsWith(`cv1.${kid}.`)).toBe(true);
        expect(await tail(id)).toBe(tails[i]);
        expect((await vault.get(id))?.accessToken).toBe(SUITE_SECRETS[0]);
      }
    }
  });
}
