import { generateKey, isVaultError } from '@credvault/core';
import { useSoftHsm } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { openPkcs11, type Pkcs11Token } from '../src/index.js';

const { describe, it, expect, beforeAll, afterAll } = vitest;
const hsm = useSoftHsm(vitest);
let token: Pkcs11Token;

/** The error code a promise rejects with, `resolved`, or `still waiting` if it has not settled within 10 s. */
async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  const settled = promise.then(
    () => 'resolved',
    (error: unknown) => (isVaultError(error) ? error.code : String(error)),
  );
  let timer: NodeJS.Timeout | undefined;
  const hanging = new Promise<string>((resolve) => {
    timer = setTimeout(resolve, 10_000, 'still waiting');
  });
  try {
    return await Promise.race([settled, hanging]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(!hsm.available)('the session pool of a PKCS#11 key, on SoftHSM2', () => {
  beforeAll(async () => {
    token = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin, maxSessions: 1 });
    await token.generateKey('kek');
  });
  afterAll(() => token?.close());

  it('rejects a caller waiting for a session with KEY_UNAVAILABLE when the key closes', async () => {
    const key = await token.key('kek');
    const context = new Uint8Array([1]);
    const busy = key.encrypt(generateKey(), context); // takes the only session
    const waiting = key.encrypt(generateKey(), context); // waits for it
    key.close?.();
    expect(await outcomeOf(waiting)).toBe('KEY_UNAVAILABLE');
    expect(String(await waiting.catch((e: unknown) => e))).toContain('closed');
    expect(await outcomeOf(busy)).toBe('resolved'); // the operation under way finishes
    expect(await outcomeOf(key.encrypt(generateKey(), context))).toBe('KEY_UNAVAILABLE');
  });

  it('rejects every waiter when the token closes', async () => {
    const second = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin, maxSessions: 1 });
    const key = await second.key('kek');
    const context = new Uint8Array([2]);
    const busy = key.encrypt(generateKey(), context);
    const waiters = [key.encrypt(generateKey(), context), key.encrypt(generateKey(), context)];
    await second.close();
    expect(await Promise.all(waiters.map(outcomeOf))).toEqual(['KEY_UNAVAILABLE', 'KEY_UNAVAILABLE']);
    expect(await outcomeOf(busy)).toBe('resolved');
  });
});
