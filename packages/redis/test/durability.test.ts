import { isVaultError } from '@credvault/core';
import { useRedisServer } from '@credvault/test-suite';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.js';

const primary = useRedisServer({ beforeAll, afterAll });
const replica = useRedisServer({ beforeAll, afterAll });

describe.skipIf(!primary.available)('redisStore({ waitForReplicas }) on a single server with a replica', () => {
  it('acknowledges writes once the replica has them, and refuses to while it is gone', async () => {
    const admin = createClient({ url: replica.url() });
    // waitTimeout: long enough for a loaded CI machine; the refusal below waits it out once
    const store = redisStore({ url: primary.url(), timeout: 5000, waitForReplicas: 1, waitTimeout: 3000 });
    const plain = redisStore({ url: primary.url() });
    try {
      await admin.connect();
      await admin.sendCommand(['REPLICAOF', '127.0.0.1', String(primary.server().port)]);
      let synced = false;
      for (let i = 0; i < 100 && !synced; i++) {
        synced = await store.set('d:k', 'v0').then(
          () => true,
          async () => new Promise<boolean>((resolve) => setTimeout(resolve, 100, false)),
        );
      }
      expect(synced).toBe(true);
      expect(await store.compareAndSet('d:k', 'v0', 'v1')).toBe(true);
      expect(await admin.get('d:k')).toBe('v1'); // on the replica when acknowledged
      expect(await store.compareAndSetMany([['d:k', 'v1', 'v2']])).toEqual([true]);
      expect(await store.compareAndSet('d:k', 'stale', 'v3')).toBe(false); // nothing written: nothing to wait for

      await admin.sendCommand(['REPLICAOF', 'NO', 'ONE']); // the replica leaves
      const refused = await store.set('d:k', 'v4').catch((error: unknown) => error);
      expect(isVaultError(refused, 'STORE_FAILED')).toBe(true);
      expect((refused as Error).message).toContain('0 of 1 replicas within 3000 ms');
      expect(await plain.get('d:k')).toBe('v4'); // applied on the master, but never acknowledged
    } finally {
      await Promise.all([store.close(), plain.close(), admin.isOpen ? admin.close() : undefined]);
    }
  });

  it('rejects a waitForReplicas that is not a whole number', () => {
    expect(() => redisStore({ url: primary.url(), waitForReplicas: 1.5 })).toThrow(/waitForReplicas/);
  });
});
