import { connectionSchema, createKeyring, createVault, generateKey, isVaultError } from '@credvault/core';
import { SUITE_SECRETS, suiteConnection, useRedisServer } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.js';

const redis = useRedisServer({ beforeAll, afterAll });
const available = redis.available;

describe.skipIf(!available)('redisStore leases', () => {
  it('gives a lease to one owner at a time, released only by its owner', async () => {
    const [a, b] = [redisStore({ url: redis.url() }), redisStore({ url: redis.url() })];
    const taken = await Promise.all([a.lease('job', 10_000), b.lease('job', 10_000), a.lease('job', 10_000)]);
    expect(taken.filter((lease) => lease !== undefined)).toHaveLength(1);
    const lease = taken.find((l) => l !== undefined);
    expect(await b.lease('job', 10_000)).toBeUndefined();
    const raw = await b.adapter.client.get('job');
    expect(raw).toBe(lease?.token);
    await b.adapter.client.set('job', 'someone-else'); // another owner after expiry
    expect(await lease?.release()).toBe(false);
    expect(await lease?.extend(5000)).toBe(false);
    expect(await b.get('job')).toBe('someone-else');
    await b.delete('job');
    const again = await b.lease('job', 10_000);
    expect(await again?.extend(20_000)).toBe(true);
    expect(await b.adapter.client.pTTL('job')).toBeGreaterThan(10_000);
    expect(await again?.release()).toBe(true);
    expect(await a.has('job')).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  it('lets a lease expire by itself', async () => {
    const store = redisStore({ url: redis.url() });
    expect(await store.lease('short', 100)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.lease('short', 100)).toBeDefined();
    await store.close();
  });
});

describe.skipIf(!available)('redisStore when Redis goes away', () => {
  it('rejects with STORE_FAILED within the timeout while Redis is down, and works again once it is back', async () => {
    const timeout = 800;
    const store = redisStore({ url: redis.url(), timeout });
    const vault = createVault({
      store,
      keyring: createKeyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
    });
    await vault.set('c1', suiteConnection('c1'));
    expect((await vault.get('c1'))?.accessToken).toBe(SUITE_SECRETS[0]);

    await redis.server().stop();
    for (const call of [
      () => vault.get('c1'),
      () => vault.set('c2', suiteConnection('c2')),
      () => vault.has('c1'),
      () => store.compareAndSet('x', undefined, 'y'),
    ]) {
      const started = Date.now();
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isVaultError(error, 'STORE_FAILED')).toBe(true);
      expect(Date.now() - started).toBeLessThan(timeout + 1500); // a bounded wait, not a hang
      expect((error as Error).message).toContain('redis');
    }
    await expect(vault.entries().next()).rejects.toMatchObject({ code: 'STORE_FAILED' });

    await redis.server().restart(); // a fresh, empty server on the same port
    let back = false;
    for (let attempt = 0; attempt < 50 && !back; attempt++) {
      back = await vault.set('c3', suiteConnection('c3')).then(
        () => true,
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return false;
        },
      );
    }
    expect(back).toBe(true);
    expect((await vault.get('c3'))?.connectionToken).toBe(SUITE_SECRETS[2]);
    expect(await vault.get('c2')).toBeUndefined(); // the write made during the outage did not happen
    await store.close();
  }, 30_000);

  it('rejects with STORE_FAILED at its timeout when a connected Redis stops answering, and the call after works', async () => {
    const store = redisStore({ url: redis.url(), timeout: 300 });
    await store.set('paused', 'v');
    const other = redisStore({ url: redis.url() });
    await other.get('paused'); // connected before the pause
    await (other.adapter.client as { sendCommand(args: string[]): Promise<unknown> }).sendCommand([
      'CLIENT',
      'PAUSE',
      '1500',
      'ALL',
    ]);
    const started = Date.now();
    const error = await store.get('paused').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1200);
    expect(isVaultError(error, 'STORE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(
      /^STORE_FAILED: redis get on redis:\/\/127\.0\.0\.1:\d+ failed: timed out after 300 ms$/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await store.get('paused')).toBe('v');
    await Promise.all([store.close(), other.close()]);
  });

  it('rejects promptly when Redis was never reachable', async () => {
    const store = redisStore({ url: 'redis://127.0.0.1:1', timeout: 300 });
    await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_FAILED' });
    await store.close();
  });

  it('never prints the password of the URL', async () => {
    const store = redisStore({ url: 'redis://user:hunter2-secret@127.0.0.1:1', timeout: 200 });
    const error = await store.get('k').catch((e: unknown) => e);
    expect((error as Error).message).not.toContain('hunter2-secret');
    expect((error as Error).message).toContain('redis://***@127.0.0.1:1');
    await store.close();
  });
});
