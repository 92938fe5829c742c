import {
  cachedKeys,
  combineKeys,
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  isVaultError,
  keyvStore,
  type RemoteKey,
  remoteKeys,
  unwrapKeyring,
  wrapKeyEntry,
} from '@credvault/core';
import type * as Vitest from 'vitest';
import { SUITE_SECRETS, suiteConnection } from './fixture.js';

/** The parts of the vitest API the provider suite uses. */
export type ProviderTestApi = Pick<typeof Vitest, 'describe' | 'it' | 'expect'>;

/** What a provider package gives the suite; every function is called inside a test. */
export interface ProviderUnderTest {
  /** Name shown in the test titles. */
  readonly name: string;
  /** A key that exists (the same one on every call is fine). */
  key(): Promise<RemoteKey>;
  /** Another existing key of the same provider. */
  otherKey(): Promise<RemoteKey>;
  /**
   * A key that does not exist or cannot be used: either this rejects with `KEY_UNAVAILABLE`, or
   * the key it returns fails every call with `KEY_UNAVAILABLE`.
   */
  missingKey(): Promise<RemoteKey>;
  /** Decrypt calls that reached the KMS/HSM so far, counted there (server or token side), not by timing. */
  decryptCalls(): number;
}

const enc = new TextEncoder();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isVaultError(error) ? error.code : `not a VaultError: ${String(error)}`;
  }
}

/**
 * The contract every KMS/HSM provider passes (docs/key-custody.md): round trip, context bound
 * as associated data, altered or foreign ciphertexts refused with `DECRYPT_FAILED`, unknown kid
 * `UNKNOWN_KEY`, unusable key `KEY_UNAVAILABLE`, concurrency, both custody modes through a
 * vault with rotation between a local and a provider key, and a flat call count under load
 * behind {@link cachedKeys}.
 */
export function providerComplianceSuite(test: ProviderTestApi, provider: ProviderUnderTest): void {
  const { describe, it, expect } = test;
  const context = (n: number | string) => enc.encode(`credvault/provider-suite/${n}`);

  describe(`${provider.name} provider compliance`, () => {
    it('round-trips a data key, with a fresh ciphertext every time', async () => {
      const key = await provider.key();
      const dek = generateKey();
      const a = await key.encrypt(dek, context(1));
      const b = await key.encrypt(dek, context(1));
      expect(a).not.toEqual(b);
      expect(Buffer.from(a).includes(Buffer.from(dek))).toBe(false);
      expect(await key.decrypt(a, context(1))).toEqual(dek);
      expect(await key.decrypt(b, context(1))).toEqual(dek);
    });

    it('binds the context: another context fails with DECRYPT_FAILED', async () => {
      const key = await provider.key();
      const wrapped = await key.encrypt(generateKey(), context('record-a'));
      expect(await codeOf(key.decrypt(wrapped, context('record-b')))).toBe('DECRYPT_FAILED');
      expect(await codeOf(key.decrypt(wrapped, new Uint8Array(0)))).toBe('DECRYPT_FAILED');
    });

    it('refuses an altered, truncated or foreign ciphertext with DECRYPT_FAILED', async () => {
      const key = await provider.key();
      const wrapped = await key.encrypt(generateKey(), context(2));
      for (const at of [0, Math.floor(wrapped.length / 2), wrapped.length - 1]) {
        const tampered = Uint8Array.from(wrapped);
        tampered[at] = (tampered[at] as number) ^ 0x01;
        expect(await codeOf(key.decrypt(tampered, context(2))), `byte ${at}`).toBe('DECRYPT_FAILED');
      }
      expect(await codeOf(key.decrypt(wrapped.subarray(0, wrapped.length - 1), context(2)))).toBe('DECRYPT_FAILED');
      expect(await codeOf(key.decrypt(new Uint8Array(0), context(2)))).toBe('DECRYPT_FAILED');
      const other = await provider.otherKey();
      expect(await codeOf(other.decrypt(wrapped, context(2)))).toBe('DECRYPT_FAILED');
    });

    it('fails an unknown kid with UNKNOWN_KEY and an unusable key with KEY_UNAVAILABLE', async () => {
      const keys = remoteKeys([{ kid: 'p1', remote: await provider.key() }]);
      expect(await codeOf(Promise.resolve().then(() => keys.wrap('p2', generateKey(), context(3))))).toBe(
        'UNKNOWN_KEY',
      );
      const missing = provider.missingKey().then((remote) => remote.encrypt(generateKey(), context(3)));
      expect(await codeOf(missing)).toBe('KEY_UNAVAILABLE');
    });

    it('serves concurrent wraps and unwraps', async () => {
      const key = await provider.key();
      const deks = Array.from({ length: 48 }, () => generateKey());
      const wrapped = await Promise.all(deks.map((dek, i) => key.encrypt(dek, context(`c${i}`))));
      const back = await Promise.all(wrapped.map((w, i) => key.decrypt(w, context(`c${i}`))));
      expect(back).toEqual(deks);
    });

    it('wrapped local keys: one call per key at start-up, none per record', async () => {
      const key = await provider.key();
      const master = generateKey();
      const entry = await wrapKeyEntry('wrapped1', master, key);
      const before = provider.decryptCalls();
      const keyring = await unwrapKeyring([{ kid: entry.kid, wrapped: entry.wrapped }], key);
      expect(provider.decryptCalls() - before).toBe(1);
      const store = keyvStore();
      const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'provider' });
      for (let i = 0; i < 10; i++) await vault.set(`r${i}`, suiteConnection(`r${i}`));
      for (let i = 0; i < 10; i++) expect((await vault.get(`r${i}`))?.accessToken).toBe(SUITE_SECRETS[0]);
      expect(provider.decryptCalls() - before).toBe(1);
      const plain = createKeyring([{ kid: 'wrapped1', key: master }]);
      const opened = await createVault({ store, keyring: plain, schema: connectionSchema, namespace: 'provider' }).get(
        'r3',
      );
      expect(opened?.refreshToken).toBe(SUITE_SECRETS[1]);
    });

    it('remote wrap: a vault round trip and rotation local -> provider -> local', async () => {
      const local = createKeyring([{ kid: 'local1', key: generateKey() }]);
      const remote = remoteKeys([{ kid: 'remote1', remote: await provider.key() }]);
      const store = keyvStore();
      const onLocal = createVault({
        store,
        keyring: combineKeys([local, remote]),
        schema: connectionSchema,
        namespace: 'p',
      });
      const toRemote = combineKeys([local, remote], { primaryKid: 'remote1' });
      const onRemote = createVault({ store, keyring: toRemote, schema: connectionSchema, namespace: 'p' });
      for (let i = 0; i < 8; i++) await onLocal.set(`r${i}`, suiteConnection(`r${i}`));
      expect((await onRemote.rotate()).rewrapped).toBe(8);
      expect((await onRemote.status()).kids).toEqual({ remote1: 8 });
      expect((await onRemote.get('r1'))?.connectionToken).toBe(SUITE_SECRETS[2]);
      await onRemote.set('new', suiteConnection('new'));
      expect((await onLocal.rotate()).rewrapped).toBe(9);
      expect((await onLocal.status()).kids).toEqual({ local1: 9 });
      expect((await onLocal.get('new'))?.accessToken).toBe(SUITE_SECRETS[0]);
    });

    it('remote wrap behind cachedKeys: the call count stays flat under load', async () => {
      const keys = cachedKeys(remoteKeys([{ kid: 'remote1', remote: await provider.key() }]), { maxEntries: 100 });
      const vault = createVault({ keyring: keys, schema: connectionSchema, namespace: 'load' });
      const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
      for (const id of ids) await vault.set(id, suiteConnection(id));
      const before = provider.decryptCalls();
      for (let round = 0; round < 10; round++) {
        const got = await Promise.all(ids.map((id) => vault.get(id)));
        for (const record of got) expect(record?.accessToken).toBe(SUITE_SECRETS[0]);
      }
      expect(provider.decryptCalls() - before).toBe(ids.length);
      const stats = keys.stats();
      expect(stats.misses).toBe(ids.length);
      expect(stats.hitRate).toBeGreaterThanOrEqual(0.9);
      await keys.close();
    });
  });
}
