import {
  cachedKeys,
  combineKeys,
  connectionSchema,
  createKeyring,
  createVault,
  formatKeyEntry,
  generateKey,
  keyringFromEnv,
  keyvStore,
  openKeyList,
  parseKeySpecs,
  remoteKeys,
  unwrapKeyring,
  wrapKeyEntry,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { toBase64url } from '../src/crypto/base64url.js';
import { connection } from './support/fixtures.js';
import { webCryptoKey } from './support/web-crypto-key.js';

const ctx = new TextEncoder().encode('ctx');

describe('remoteKeys (remote wrap)', () => {
  it('wraps and unwraps through the remote key, one call each', async () => {
    const remote = await webCryptoKey();
    const keys = remoteKeys([{ kid: 'hsm1', remote }]);
    const dek = generateKey();
    const wrapped = await keys.wrap('hsm1', dek, ctx);
    expect(wrapped.length).not.toBe(72);
    expect(await keys.unwrap('hsm1', wrapped, ctx)).toEqual(dek);
    expect(remote.calls).toEqual({ encrypt: 1, decrypt: 1 });
  });

  it('fails an unknown kid with UNKNOWN_KEY, a remote failure with KEY_UNAVAILABLE naming the reason', async () => {
    const remote = await webCryptoKey('test:kek');
    const keys = remoteKeys([{ kid: 'hsm1', remote }]);
    await expect(keys.wrap('nope', generateKey(), ctx)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
    const wrapped = await keys.wrap('hsm1', generateKey(), ctx);
    remote.fail = 'AccessDeniedException: not allowed';
    const error = await Promise.resolve(keys.unwrap('hsm1', wrapped, ctx)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(String(error)).toContain('test:kek: AccessDeniedException: not allowed');
  });

  it('refuses an empty list and duplicate kids', async () => {
    const remote = await webCryptoKey();
    expect(() => remoteKeys([])).toThrow(expect.objectContaining({ code: 'INVALID_KEYRING' }));
    expect(() =>
      remoteKeys([
        { kid: 'a', remote },
        { kid: 'a', remote },
      ]),
    ).toThrow(expect.objectContaining({ code: 'INVALID_KEYRING' }));
  });
});

describe('unwrapKeyring (wrapped local keys)', () => {
  it('decrypts each wrapped key once and then works with no remote call', async () => {
    const remote = await webCryptoKey();
    const k1 = generateKey();
    const k2 = generateKey();
    const entries = [await wrapKeyEntry('k2', k2, remote), await wrapKeyEntry('k1', k1, remote)];
    remote.calls.encrypt = 0;
    const keyring = await unwrapKeyring(entries);
    expect(remote.calls.decrypt).toBe(2);
    expect(keyring.kids).toEqual(['k2', 'k1']);
    const store = keyvStore();
    const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'c' });
    await vault.set('a', connection());
    expect((await vault.get('a'))?.refreshToken).toBe(connection().refreshToken);
    expect(remote.calls).toEqual({ encrypt: 0, decrypt: 2 });
    // it is the very key that was wrapped: a plain keyring of it opens what was written
    const plain = createKeyring([{ kid: 'k2', key: k2 }]);
    const opened = await createVault({ store, keyring: plain, schema: connectionSchema, namespace: 'c' }).get('a');
    expect(opened?.refreshToken).toBe(connection().refreshToken);
  });

  it('binds a wrapped key to its kid: renamed, it does not unwrap', async () => {
    const remote = await webCryptoKey();
    const entry = await wrapKeyEntry('k1', generateKey(), remote);
    await expect(unwrapKeyring([{ kid: 'k9', wrapped: entry.wrapped }], remote)).rejects.toMatchObject({
      code: 'INVALID_KEYRING',
    });
  });

  it('fails with KEY_UNAVAILABLE when the KMS is down, trying no other key', async () => {
    const remote = await webCryptoKey();
    const entry = await wrapKeyEntry('k1', generateKey(), remote);
    remote.fail = 'connect ECONNREFUSED';
    const local = { kid: 'k0', key: generateKey() };
    await expect(unwrapKeyring([entry, local])).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' });
  });

  it('mixes plain and wrapped entries', async () => {
    const remote = await webCryptoKey();
    const keyring = await unwrapKeyring([
      { kid: 'env', key: generateKey() },
      await wrapKeyEntry('hsm', generateKey(), remote),
    ]);
    expect(keyring.kids).toEqual(['env', 'hsm']);
  });
});

describe('combineKeys', () => {
  it('rotates records from a local key to a remote key and back', async () => {
    const remote = await webCryptoKey();
    const local = createKeyring([{ kid: 'env1', key: generateKey() }]);
    const hsm = cachedKeys(remoteKeys([{ kid: 'hsm1', remote }]));
    const toHsm = combineKeys([local, hsm], { primaryKid: 'hsm1' });
    const toEnv = combineKeys([local, hsm]);
    expect(toHsm.kids).toEqual(['hsm1', 'env1']);
    expect(toEnv.primaryKid).toBe('env1');

    const store = keyvStore();
    const onEnv = createVault({ store, keyring: toEnv, schema: connectionSchema, namespace: 'c' });
    for (let i = 0; i < 5; i++) await onEnv.set(`r${i}`, connection());
    const onHsm = createVault({ store, keyring: toHsm, schema: connectionSchema, namespace: 'c' });
    expect((await onHsm.rotate()).rewrapped).toBe(5);
    expect((await onHsm.status()).kids).toEqual({ hsm1: 5 });
    expect(remote.calls.encrypt).toBe(5);
    expect((await onEnv.rotate()).rewrapped).toBe(5);
    expect((await onEnv.status()).kids).toEqual({ env1: 5 });
    expect((await onEnv.get('r3'))?.accessToken).toBe(connection().accessToken);
    await toHsm.close();
    expect(remote.closed).toBe(1);
  });

  it('refuses a kid in two keyrings and a primary nobody holds', () => {
    const a = createKeyring([{ kid: 'x', key: generateKey() }]);
    const b = createKeyring([{ kid: 'x', key: generateKey() }]);
    expect(() => combineKeys([a, b])).toThrow(expect.objectContaining({ code: 'INVALID_KEYRING' }));
    expect(() => combineKeys([a], { primaryKid: 'y' })).toThrow(expect.objectContaining({ code: 'INVALID_KEYRING' }));
    expect(() => combineKeys([a]).unwrap('y', new Uint8Array(72), ctx)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_KEY' }),
    );
  });
});

describe('key lists of every kind', () => {
  it('parses local, wrapped and remote entries, ARNs with colons included', () => {
    const wrapped = toBase64url(new Uint8Array([1, 2, 3]));
    const specs = parseKeySpecs(
      `# comment\nk3:remote:aws-kms:arn:aws:kms:eu-west-1:111122223333:key/abc,\nk2:wrapped:pkcs11:kek-label:${wrapped}\n${formatKeyEntry('k1', generateKey())}`,
    );
    expect(specs.map((s) => s.type)).toEqual(['remote', 'wrapped', 'local']);
    expect(specs[0]).toMatchObject({
      kid: 'k3',
      provider: 'aws-kms',
      keyRef: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
    });
    expect(specs[1]).toMatchObject({
      kid: 'k2',
      provider: 'pkcs11',
      keyRef: 'kek-label',
      wrapped: new Uint8Array([1, 2, 3]),
    });
    for (const bad of [
      'k1',
      'k1:other:pkcs11:x',
      'k1:wrapped:pkcs11:AAAA',
      'k1:remote:PKCS 11:x',
      'k1:wrapped:p:l:not*b64',
    ]) {
      expect(() => parseKeySpecs(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_KEYRING' }));
    }
  });

  it('opens a list with one resolve per key reference, the first entry primary, and closes the providers', async () => {
    const remote = await webCryptoKey();
    const w = await wrapKeyEntry('k2', generateKey(), remote);
    const text = `k3:remote:test:kek,k2:wrapped:test:kek:${toBase64url(w.wrapped)},${formatKeyEntry('k1', generateKey())}`;
    let resolves = 0;
    const keys = await openKeyList(parseKeySpecs(text), {
      resolve: async (provider, keyRef) => {
        resolves += 1;
        expect([provider, keyRef]).toEqual(['test', 'kek']);
        return remote;
      },
    });
    expect(resolves).toBe(1);
    expect(keys.kids).toEqual(['k3', 'k2', 'k1']);
    const dek = generateKey();
    expect(await keys.unwrap('k3', await keys.wrap('k3', dek, ctx), ctx)).toEqual(dek);
    await keys.close();
    expect(remote.closed).toBeGreaterThanOrEqual(1);
  });
});

describe('keyringFromEnv', () => {
  it('reads any record of variables, not only process.env', () => {
    const env = { MY_KEYS: formatKeyEntry('k1', generateKey()) };
    expect(keyringFromEnv('MY_KEYS', env).primaryKid).toBe('k1');
    expect(() => keyringFromEnv('MY_KEYS', {})).toThrow(expect.objectContaining({ code: 'INVALID_KEYRING' }));
  });
});
