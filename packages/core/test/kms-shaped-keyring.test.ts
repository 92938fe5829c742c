import { connectionSchema, createVault, generateKey, isVaultError, memoryStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../src/format/envelope-text.js';
import { connection, SECRETS } from './support/fixtures.js';
import { testKms } from './support/test-kms.js';

// The wrapped key's length belongs to the keyring: a KMS returns whatever it returns.
describe('a keyring in the shape of a KMS: asynchronous, wrapped keys of its own length', () => {
  it.each(['k', 'kms-1', 'a-much-longer-kms-key-id-0123456789'])(
    'seals and opens through the vault with kid "%s" (wrapped key 77 + kid length, never 72)',
    async (kid) => {
      const kms = testKms([{ kid, key: generateKey() }]);
      const store = memoryStore();
      const vault = createVault({ store, keyring: kms, schema: connectionSchema, namespace: 'kms' });
      await vault.set('c1', connection());
      const { wrappedKey } = parseEnvelope(store.map.get('kms:c1'));
      expect(wrappedKey.length).toBe(4 + 1 + kid.length + 24 + 32 + 16);
      expect(wrappedKey.length).not.toBe(72);
      expect((await vault.get('c1'))?.accessToken).toBe(SECRETS.accessToken);
      expect(kms.calls).toEqual({ wrap: 1, unwrap: 1 });
    },
  );

  it('seals 40 records at once while every wrap awaits the KMS: each opens to its own secrets', async () => {
    // A seal's sealed bytes and plaintext live in shared scratch buffers until encoded, which must
    // happen before the wrap's await: 40 seals interleaved there would otherwise mix them up.
    const kms = testKms([{ kid: 'kms-1', key: generateKey() }]);
    const vault = createVault({ store: memoryStore(), keyring: kms, schema: connectionSchema, namespace: 'kms' });
    const token = (i: number) => `token-${i}-${'x'.repeat(i * 37)}`;
    const ids = Array.from({ length: 40 }, (_, i) => i);
    await Promise.all(ids.map((i) => vault.set(`c${i}`, connection({ accessToken: token(i) }))));
    expect(kms.calls.wrap).toBe(40);
    const opened = await Promise.all(ids.map(async (i) => (await vault.get(`c${i}`))?.accessToken));
    expect(opened).toEqual(ids.map(token));
  });

  it('rotates between a KMS-shaped key and back, rewrapping only the data key', async () => {
    const [a, b] = [
      { kid: 'kms-a', key: generateKey() },
      { kid: 'kms-b', key: generateKey() },
    ];
    const store = memoryStore();
    await createVault({ store, keyring: testKms([a]), schema: connectionSchema, namespace: 'kms' }).set(
      'c1',
      connection(),
    );
    const sealedBefore = parseEnvelope(store.map.get('kms:c1')).sealed;
    const vault = createVault({ store, keyring: testKms([b, a]), schema: connectionSchema, namespace: 'kms' });
    expect((await vault.rotate()).rewrapped).toBe(1);
    const after = parseEnvelope(store.map.get('kms:c1'));
    expect(after.kid).toBe('kms-b');
    expect(after.sealed).toEqual(sealedBefore);
    expect((await vault.get('c1'))?.refreshToken).toBe(SECRETS.refreshToken);
  });

  it.each([0, 16, 31, 33, 64])(
    'refuses a data key the keyring unwraps to %i bytes: DECRYPT_FAILED, nothing returned',
    async (length) => {
      const master = { kid: 'kms-1', key: generateKey() };
      const store = memoryStore();
      await createVault({ store, keyring: testKms([master]), schema: connectionSchema, namespace: 'kms' }).set(
        'c1',
        connection(),
      );
      const broken = testKms([master], { unwrapLength: length });
      const vault = createVault({ store, keyring: broken, schema: connectionSchema, namespace: 'kms' });
      const error = await vault.get('c1').catch((e: unknown) => e);
      expect(isVaultError(error, 'DECRYPT_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/not 32 bytes/);
      expect((await vault.rotate({ reencrypt: true })).failed).toEqual([{ id: 'c1', code: 'DECRYPT_FAILED' }]);
    },
  );
});
