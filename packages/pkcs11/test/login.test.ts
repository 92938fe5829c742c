import { useSoftHsm } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { openPkcs11 } from '../src/index.js';
import { acquireModule, releaseModule } from '../src/module.js';

const { describe, it, expect } = vitest;
const hsm = useSoftHsm(vitest);

describe.skipIf(!hsm.available)('PKCS#11 login state, on SoftHSM2', () => {
  it('keeps a digest of the PIN, never the PIN, and still refuses another PIN on the logged-in token', async () => {
    const token = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin });
    const module = acquireModule(hsm.module); // the same loaded module, shared in this process
    try {
      expect(module.logins.size).toBe(1);
      for (const login of module.logins.values()) {
        const kept = Object.values(login).map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : value));
        for (const value of kept) expect(String(value)).not.toContain(hsm.pin);
      }
      const again = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin });
      await again.close();
      const other = await openPkcs11({ module: hsm.module, token: hsm.token, pin: `${hsm.pin}-other` }).catch(
        (e: unknown) => e,
      );
      expect(other).toMatchObject({ code: 'KEY_UNAVAILABLE' });
      expect(String(other)).not.toContain(hsm.pin);
    } finally {
      releaseModule(module);
      await token.close();
    }
  });
});
