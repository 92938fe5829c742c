import { generateKey, isVaultError, type RemoteKey } from '@credvault/core';
import { providerComplianceSuite, useSoftHsm } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { openPkcs11, type Pkcs11Token } from '../src/index.js';

const { describe, it, expect, beforeAll, afterAll } = vitest;
const hsm = useSoftHsm(vitest);
let token: Pkcs11Token;
let decrypts = 0;

/** Counts C_Decrypt calls made through a key of the token. */
function counted(remote: RemoteKey): RemoteKey {
  return {
    name: remote.name,
    encrypt: (p, c) => remote.encrypt(p, c),
    decrypt: (w, c) => {
      decrypts += 1;
      return remote.decrypt(w, c);
    },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isVaultError(error) ? error.code : String(error)),
  );
}

describe.skipIf(!hsm.available)('@credvault/pkcs11 on SoftHSM2', () => {
  beforeAll(async () => {
    token = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin });
    await token.generateKey('kek-a');
    await token.generateKey('kek-b');
  });
  afterAll(() => token?.close());

  providerComplianceSuite(vitest, {
    name: 'pkcs11 (SoftHSM2)',
    key: async () => counted(await token.key('kek-a')),
    otherKey: () => token.key('kek-b'),
    missingKey: () => token.key('no-such-key'),
    decryptCalls: () => decrypts,
  });

  it('generates an encrypt/decrypt-only key, every usage set explicitly, sensitive, not extractable or modifiable', async () => {
    const pkcs11 = (await import('pkcs11js')).default;
    const api = new pkcs11.PKCS11();
    api.load(hsm.module);
    // the module is initialized already in this process; reading attributes needs only a session
    const slot = api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trimEnd() === hsm.token);
    expect(slot).toBeDefined();
    const session = api.C_OpenSession(slot as Buffer, pkcs11.CKF_SERIAL_SESSION);
    api.C_FindObjectsInit(session, [{ type: pkcs11.CKA_LABEL, value: 'kek-a' }]);
    const [handle] = api.C_FindObjects(session, 2);
    api.C_FindObjectsFinal(session);
    const expected: Record<string, boolean> = {
      CKA_ENCRYPT: true,
      CKA_DECRYPT: true,
      CKA_WRAP: false,
      CKA_UNWRAP: false,
      CKA_SIGN: false,
      CKA_VERIFY: false,
      CKA_DERIVE: false,
      CKA_EXTRACTABLE: false,
      CKA_SENSITIVE: true,
      CKA_ALWAYS_SENSITIVE: true,
      CKA_NEVER_EXTRACTABLE: true,
      CKA_MODIFIABLE: false,
      CKA_COPYABLE: false,
      CKA_TOKEN: true,
      CKA_PRIVATE: true,
    };
    const names = Object.keys(expected);
    const values = api.C_GetAttributeValue(
      session,
      handle as Buffer,
      names.map((name) => ({ type: pkcs11[name as keyof typeof pkcs11] as number })),
    );
    const read = Object.fromEntries(names.map((name, i) => [name, values[i]?.value[0] === 1]));
    expect(read).toEqual(expected);
    // not modifiable: the token refuses to turn a usage on afterwards
    expect(() => api.C_SetAttributeValue(session, handle as Buffer, [{ type: pkcs11.CKA_WRAP, value: true }])).toThrow(
      /CKR_/,
    );
    expect(() => api.C_GetAttributeValue(session, handle as Buffer, [{ type: pkcs11.CKA_VALUE }])).toThrow(
      /CKR_ATTRIBUTE_SENSITIVE/,
    );
    api.C_CloseSession(session);
  });

  it('finds a key by CKA_ID as well as by label', async () => {
    const id = new Uint8Array([0xc0, 0xff, 0xee, 0x01]);
    await token.generateKey('kek-with-id', id);
    const byId = await token.key({ id });
    const byLabel = await token.key('kek-with-id');
    const context = new Uint8Array([7]);
    const dek = generateKey();
    expect(await byLabel.decrypt(await byId.encrypt(dek, context), context)).toEqual(dek);
    expect(await codeOf(token.key({ id: new Uint8Array([1, 2, 3]) }))).toBe('KEY_UNAVAILABLE');
  });

  it('refuses a second key with the same label', async () => {
    expect(await codeOf(token.generateKey('kek-a'))).toBe('INVALID_ARGUMENT');
  });

  it('fails with KEY_UNAVAILABLE for a wrong PIN, a missing token and an unloadable module, naming no PIN', async () => {
    const wrongPin = await openPkcs11({ module: hsm.module, token: hsm.token, pin: 'wrong-pin-9' }).catch((e) => e);
    expect(wrongPin).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(String(wrongPin)).toContain('CKR_PIN_INCORRECT');
    expect(String(wrongPin)).not.toContain('wrong-pin-9');
    expect(await codeOf(openPkcs11({ module: hsm.module, token: 'no-such-token', pin: hsm.pin }))).toBe(
      'KEY_UNAVAILABLE',
    );
    const unloadable = await openPkcs11({ module: '/nonexistent/libpkcs11.so', pin: hsm.pin }).catch((e) => e);
    expect(unloadable).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(String(unloadable)).toContain('/nonexistent/libpkcs11.so');
  });

  it('fails with KEY_UNAVAILABLE once closed, trying nothing else', async () => {
    const second = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin });
    const key = await second.key('kek-a');
    const wrapped = await key.encrypt(generateKey(), new Uint8Array([1]));
    key.close?.();
    expect(await codeOf(key.decrypt(wrapped, new Uint8Array([1])))).toBe('KEY_UNAVAILABLE');
    await second.close();
    expect(await codeOf(second.key('kek-a'))).toBe('KEY_UNAVAILABLE');
  });
});
