import { connectionSchema, createKeyring, createVault, generateKey, isVaultError } from '@credvault/core';
import { SUITE_SECRETS, suiteConnection } from './fixture.js';
import { type MakeStore, type SuitePartOptions, suiteStores, type TestApi } from './suite-context.js';

/**
 * The part of the compliance suite that runs a vault on the store: round trip, no secret in
 * the raw value, filtering (where the store iterates), and tampering refused.
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
}
