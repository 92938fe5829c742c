import {
  connectionSchema,
  createVault,
  generateKey,
  type KeyEncryptionKeys,
  Keyring,
  memoryStore,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

/** A local keyring that counts its unwraps (still a Keyring, so the vault's default applies). */
class CountingKeyring extends Keyring {
  unwraps = 0;
  override unwrap(kid: string, wrapped: Uint8Array, context: Uint8Array): Uint8Array {
    this.unwraps += 1;
    return super.unwrap(kid, wrapped, context);
  }
}

const entry = { kid: 'k1', key: generateKey() };
// The record cache would answer these reads before the unwrap cache is asked (record-cache.test.ts).
const recordCache = false;

describe('the vault’s unwrap cache', () => {
  it('is on by default for a local Keyring: a record read again is not unwrapped again', async () => {
    const keyring = new CountingKeyring([entry]);
    const vault = createVault({ store: memoryStore(), keyring, schema: connectionSchema, namespace: 'u', recordCache });
    await vault.set('a', connection());
    await vault.set('b', connection({ status: 'b' }));
    expect(await vault.get('a')).toEqual(await vault.get('a'));
    expect(keyring.unwraps).toBe(1);
    expect((await vault.get('b'))?.status).toBe('b');
    expect(keyring.unwraps).toBe(2);
    await vault.set('a', connection({ status: 'new' })); // a new data key: read once more
    expect((await vault.get('a'))?.status).toBe('new');
    expect(keyring.unwraps).toBe(3);
    const report = await vault.verify(); // verify unwraps every record itself
    expect(report.failed).toEqual([]);
    expect(keyring.unwraps).toBe(5);
  });

  it('still refuses a wrapped key moved from another record (the cache key holds the context)', async () => {
    const keyring = new CountingKeyring([entry]);
    const store = memoryStore();
    const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'u', recordCache });
    await vault.set('a', connection());
    await vault.set('b', connection());
    await vault.get('a');
    const [a, b] = [store.map.get('u:a') as string, store.map.get('u:b') as string];
    const wrappedOfA = a.split('.')[2] as string;
    const parts = b.split('.');
    parts[2] = wrappedOfA;
    store.map.set('u:b', parts.join('.'));
    await expect(vault.get('b')).rejects.toMatchObject({ code: 'DECRYPT_FAILED', id: 'b' });
  });

  it('is off with unwrapCache: false, for other keyrings unless asked, and wiped by close()', async () => {
    for (const [option, expected] of [
      [false, 2],
      [{ maxEntries: 1 }, 1],
    ] as const) {
      const keyring = new CountingKeyring([entry]);
      const vault = createVault({
        store: memoryStore(),
        keyring,
        schema: connectionSchema,
        unwrapCache: option,
        recordCache,
      });
      await vault.set('a', connection());
      await vault.get('a');
      await vault.get('a');
      expect(keyring.unwraps).toBe(expected);
    }
    const inner = new CountingKeyring([entry]);
    const remote: KeyEncryptionKeys = {
      primaryKid: 'k1',
      kids: ['k1'],
      has: (kid) => inner.has(kid),
      wrap: (kid, dek, context) => inner.wrap(kid, dek, context),
      unwrap: (kid, wrapped, context) => inner.unwrap(kid, wrapped, context),
    };
    const store = memoryStore();
    const vault = createVault({ store, keyring: remote, schema: connectionSchema });
    await vault.set('a', connection());
    await vault.get('a');
    await vault.get('a');
    expect(inner.unwraps).toBe(2);

    const cached = createVault({ store, keyring: inner, schema: connectionSchema, recordCache });
    await cached.get('a');
    await cached.close();
    expect(inner.unwraps).toBe(3);
    await expect(cached.get('a')).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(inner.has('k1')).toBe(true); // the keyring itself is the caller's, still open
  });
});
