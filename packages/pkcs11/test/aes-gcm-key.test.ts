import { generateKey } from '@credvault/core';
import { useSoftHsm } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { openPkcs11, type Pkcs11Token } from '../src/index.js';
import { acquireModule, type LoadedModule, releaseModule } from '../src/module.js';

const { describe, it, expect, beforeAll, afterAll, vi } = vitest;
const hsm = useSoftHsm(vitest);
let token: Pkcs11Token;
let module: LoadedModule;

describe.skipIf(!hsm.available)('the AES-GCM key of a PKCS#11 token, on SoftHSM2', () => {
  beforeAll(async () => {
    token = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin });
    await token.generateKey('kek');
    module = acquireModule(hsm.module); // the token's module: its C_EncryptAsync is watched below
  });
  afterAll(async () => {
    if (module !== undefined) releaseModule(module);
    await token?.close();
  });

  it('wipes its copy of the data key once the token has encrypted it', async () => {
    const key = await token.key('kek');
    const encrypt = vi.spyOn(module.api, 'C_EncryptAsync');
    try {
      const dek = generateKey();
      const context = new Uint8Array([3]);
      const wrapped = await key.encrypt(dek, context);
      expect(encrypt).toHaveBeenCalledOnce();
      const handed = encrypt.mock.calls[0]?.[1] as Buffer;
      expect(handed.length).toBe(dek.length);
      expect(handed.every((byte) => byte === 0)).toBe(true);
      expect(dek.some((byte) => byte !== 0)).toBe(true); // the caller's key is left alone
      expect(await key.decrypt(wrapped, context)).toEqual(dek);
    } finally {
      encrypt.mockRestore();
      key.close?.();
    }
  });
});
