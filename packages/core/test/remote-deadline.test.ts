import {
  cachedKeys,
  connectionSchema,
  createVault,
  generateKey,
  memoryStore,
  openKeyList,
  parseKeySpecs,
  REMOTE_TIMEOUT_MS,
  remoteKeys,
  unwrapKeyring,
  wrapKeyEntry,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { toBase64url } from '../src/crypto/base64url.js';
import { connection } from './support/fixtures.js';
import { stallingKey } from './support/stalling-key.js';

const ctx = new TextEncoder().encode('ctx');

/** Settles `promise` and reports how long it took, so a test can assert the deadline held. */
async function timed<T>(promise: Promise<T> | T): Promise<{ error: unknown; ms: number }> {
  const start = performance.now();
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - start };
}

describe('remote key calls have a deadline', { timeout: 5000 }, () => {
  it('has a documented default of 10 s', () => {
    expect(REMOTE_TIMEOUT_MS).toBe(10_000);
  });

  it('fails a hung wrap and a hung unwrap with KEY_UNAVAILABLE at the deadline, naming the key', async () => {
    const remote = await stallingKey('test:hung');
    const keys = remoteKeys([{ kid: 'kms1', remote }], { timeoutMs: 200 });
    const wrapped = await keys.wrap('kms1', generateKey(), ctx);
    remote.stalled = true;
    const calls = [() => keys.wrap('kms1', generateKey(), ctx), () => keys.unwrap('kms1', wrapped, ctx)];
    for (const call of calls) {
      const { error, ms } = await timed(call());
      expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE' });
      expect(String(error)).toContain('test:hung');
      expect(String(error)).toContain('200 ms');
      expect(ms).toBeGreaterThanOrEqual(150);
      expect(ms).toBeLessThan(2000);
    }
    expect(remote.hung.count).toBe(2);
  });

  it('refuses a timeoutMs that is not a positive whole number', async () => {
    const remote = await stallingKey();
    for (const timeoutMs of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => remoteKeys([{ kid: 'kms1', remote }], { timeoutMs })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('a get through the unwrap cache fails at the deadline, and the same record reads once the KMS recovers', async () => {
    const remote = await stallingKey();
    const keyring = cachedKeys(remoteKeys([{ kid: 'kms1', remote }], { timeoutMs: 200 }));
    const vault = createVault({ keyring, schema: connectionSchema, store: memoryStore() });
    await vault.set('c1', connection());
    remote.stalled = true;
    // Two reads at once: the second joins the first's call in the cache, and both fail in time.
    const [first, second] = await Promise.all([timed(vault.get('c1')), timed(vault.get('c1'))]);
    for (const { error, ms } of [first, second]) {
      expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE' });
      expect(ms).toBeLessThan(2000);
    }
    expect(remote.hung.count).toBe(1);
    // A write under the hung KMS fails in time too, and stores nothing.
    const { error: setError } = await timed(vault.set('c2', connection()));
    expect(setError).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    remote.stalled = false; // the KMS recovers; the hung calls never answer
    expect(await vault.get('c1')).toMatchObject({ idProject: connection().idProject });
    expect(keyring.stats().size).toBe(1);
    await vault.set('c2', connection());
    expect(await vault.get('c2')).toBeDefined();
    await vault.close();
  });

  it('opens wrapped entries with a deadline, and again once the KMS recovers', async () => {
    const remote = await stallingKey();
    const entry = await wrapKeyEntry('k1', generateKey(), remote);
    remote.stalled = true;
    const { error, ms } = await timed(unwrapKeyring([entry], undefined, { timeoutMs: 200 }));
    expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(ms).toBeLessThan(2000);
    const { error: wrapError } = await timed(wrapKeyEntry('k2', generateKey(), remote, { timeoutMs: 200 }));
    expect(wrapError).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    remote.stalled = false;
    expect((await unwrapKeyring([entry], undefined, { timeoutMs: 200 })).kids).toEqual(['k1']);
  });

  it('a key list of remote and wrapped entries (as the CLI opens it) inherits the default deadline', async () => {
    const remote = await stallingKey();
    const entry = await wrapKeyEntry('k1', generateKey(), remote);
    const specs = parseKeySpecs(`k1:wrapped:test:kek:${toBase64url(entry.wrapped)}`);
    remote.stalled = true;
    const started = performance.now();
    const opening = openKeyList(specs, { resolve: async () => remote }).catch((e: unknown) => e);
    // The default is 10 s: still pending well before it, failed soon after it.
    const early = await Promise.race([opening, new Promise((r) => setTimeout(() => r('pending'), 500))]);
    expect(early).toBe('pending');
    expect(await opening).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(performance.now() - started).toBeLessThan(REMOTE_TIMEOUT_MS + 2000);
  }, 20_000);
});
