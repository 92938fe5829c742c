import { generateKey, isVaultError } from '@credvault/core';
import { useSoftHsm } from '@credvault/test-suite';
import pkcs11 from 'pkcs11js';
import * as vitest from 'vitest';
import { openPkcs11, type Pkcs11Options } from '../src/index.js';

const { describe, it, expect } = vitest;
const hsm = useSoftHsm(vitest);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isVaultError(error) ? error.code : String(error)),
  );
}

/** The counter objects (CKO_DATA of application `credvault`) on the token, by label, with their value. */
function counters(): Map<string, bigint> {
  const api = new pkcs11.PKCS11();
  api.load(hsm.module); // initialized already in this process by openPkcs11
  const slot = api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trimEnd() === hsm.token);
  const session = api.C_OpenSession(slot as Buffer, pkcs11.CKF_SERIAL_SESSION);
  try {
    api.C_FindObjectsInit(session, [
      { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_DATA },
      { type: pkcs11.CKA_APPLICATION, value: 'credvault' },
    ]);
    const handles = api.C_FindObjects(session, 100);
    api.C_FindObjectsFinal(session);
    const found = new Map<string, bigint>();
    for (const handle of handles) {
      const [label, value] = api.C_GetAttributeValue(session, handle, [
        { type: pkcs11.CKA_LABEL },
        { type: pkcs11.CKA_VALUE },
      ]);
      const key = String(label?.value);
      const count = value === undefined ? -1n : value.value.readBigUInt64BE();
      expect(found.has(key), `one count object labelled ${key}`).toBe(false);
      found.set(key, count);
    }
    return found;
  } finally {
    api.C_CloseSession(session);
  }
}

describe.skipIf(!hsm.available)('the AES-GCM invocation limit of a token key, on SoftHSM2', () => {
  const open = (gcmInvocations: Pkcs11Options['gcmInvocations']) =>
    openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin, ...(gcmInvocations ? { gcmInvocations } : {}) });
  const context = new Uint8Array([4, 2]);

  it('counts on the token, warns once from warnAt and refuses with KEY_UNAVAILABLE at max; decrypt still works', async () => {
    const warnings: string[] = [];
    const token = await open({ max: 10, warnAt: 6, block: 4, onWarning: (message) => warnings.push(message) });
    try {
      await token.generateKey('kek-limit', new Uint8Array([0xab]));
      const key = await token.key('kek-limit');
      const dek = generateKey();
      const wrapped: Uint8Array[] = [];
      for (let i = 1; i <= 5; i++) wrapped.push(await key.encrypt(dek, context));
      expect(warnings).toEqual([]);
      expect(counters().get('credvault:aes-gcm-invocations:label=kek-limit:id=ab')).toBe(8n); // two blocks of 4
      wrapped.push(await key.encrypt(dek, context)); // the 6th
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/kek-limit.*6 of 10 .*SP 800-38D.*rotate/);
      for (let i = 7; i <= 10; i++) wrapped.push(await key.encrypt(dek, context));
      expect(warnings).toHaveLength(1);
      const refused = await key.encrypt(dek, context).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'KEY_UNAVAILABLE' });
      expect(String(refused)).toMatch(/kek-limit.*10 AES-GCM encryptions.*limit/);
      expect(counters().get('credvault:aes-gcm-invocations:label=kek-limit:id=ab')).toBe(10n);
      for (const w of wrapped) expect(await key.decrypt(w, context)).toEqual(dek);

      // the count is the token's: another instance of the key (by CKA_ID), another opening, is refused too
      const again = await open({ max: 10, warnAt: 6, block: 4, onWarning: (message) => warnings.push(message) });
      try {
        expect(await codeOf((await again.key({ id: new Uint8Array([0xab]) })).encrypt(dek, context))).toBe(
          'KEY_UNAVAILABLE',
        );
      } finally {
        await again.close();
      }
    } finally {
      await token.close();
    }
  });

  it('reserves blocks: a new instance starts after the block the previous one reserved (over-counting, never under)', async () => {
    const token = await open({ max: 100, block: 8 });
    try {
      await token.generateKey('kek-blocks');
      const label = 'credvault:aes-gcm-invocations:label=kek-blocks:id=';
      await (await token.key('kek-blocks')).encrypt(generateKey(), context);
      expect(counters().get(label)).toBe(8n);
      await (await token.key('kek-blocks')).encrypt(generateKey(), context);
      expect(counters().get(label)).toBe(16n);
    } finally {
      await token.close();
    }
  });

  it('after a crash between writing the new count and removing the old, the highest count wins', async () => {
    const token = await open({ max: 1000, block: 8 });
    try {
      await token.generateKey('kek-crash');
      const label = 'credvault:aes-gcm-invocations:label=kek-crash:id=';
      const api = new pkcs11.PKCS11();
      api.load(hsm.module);
      const slot = api.C_GetSlotList(true).find((s) => api.C_GetTokenInfo(s).label.trimEnd() === hsm.token);
      const session = api.C_OpenSession(slot as Buffer, pkcs11.CKF_SERIAL_SESSION | pkcs11.CKF_RW_SESSION);
      for (const count of [50n, 20n]) {
        const value = Buffer.alloc(8);
        value.writeBigUInt64BE(count);
        api.C_CreateObject(session, [
          { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_DATA },
          { type: pkcs11.CKA_TOKEN, value: true },
          { type: pkcs11.CKA_PRIVATE, value: true },
          { type: pkcs11.CKA_APPLICATION, value: 'credvault' },
          { type: pkcs11.CKA_LABEL, value: label },
          { type: pkcs11.CKA_VALUE, value },
        ]);
      }
      api.C_CloseSession(session);
      await (await token.key('kek-crash')).encrypt(generateKey(), context);
      expect(counters().get(label)).toBe(58n); // one object left, the highest count plus a block
    } finally {
      await token.close();
    }
  });

  it("store: 'process' counts in memory, shared by the key's instances in this process, nothing on the token", async () => {
    const warnings: string[] = [];
    const token = await open({ max: 3, store: 'process', onWarning: (message) => warnings.push(message) });
    try {
      await token.generateKey('kek-process');
      const a = await token.key('kek-process');
      const b = await token.key('kek-process');
      await a.encrypt(generateKey(), context);
      await b.encrypt(generateKey(), context);
      expect(warnings).toHaveLength(1); // warnAt defaults to max / 2
      await a.encrypt(generateKey(), context);
      expect(await codeOf(b.encrypt(generateKey(), context))).toBe('KEY_UNAVAILABLE');
      expect([...counters().keys()].some((label) => label.includes('kek-process'))).toBe(false);
    } finally {
      await token.close();
    }
  });

  it('defaults to the NIST bound and refuses a higher or malformed limit with INVALID_ARGUMENT', async () => {
    for (const bad of [{ max: 2 ** 32 + 1 }, { max: 0 }, { max: 10, warnAt: 11 }, { block: 0 }, { max: 1.5 }]) {
      const error = await open(bad).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(String(error)).toMatch(/gcmInvocations\./);
    }
    const token = await open(undefined);
    try {
      await token.generateKey('kek-default');
      await (await token.key('kek-default')).encrypt(generateKey(), context);
      expect(counters().get('credvault:aes-gcm-invocations:label=kek-default:id=')).toBe(2n ** 14n);
    } finally {
      await token.close();
    }
  });
});
