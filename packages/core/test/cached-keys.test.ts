import {
  cachedKeys,
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  type KeyEncryptionKeys,
  type UnwrapCacheEvent,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

const ctx = (n: number) => new TextEncoder().encode(`context-${n}`);

/** A local keyring whose unwraps are counted, answered later and remembered (so wiping can be seen). */
function observed(async = true) {
  const inner = createKeyring([{ kid: 'k1', key: generateKey() }]);
  const handedOut: Uint8Array[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const state = {
    calls: 0,
    closed: 0,
    failNext: false,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  };
  const keys: KeyEncryptionKeys = {
    primaryKid: 'k1',
    kids: ['k1'],
    has: (kid) => inner.has(kid),
    wrap: (kid, dek, context) => inner.wrap(kid, dek, context),
    unwrap(kid, wrapped, context) {
      state.calls += 1;
      if (!async) {
        const dek = inner.unwrap(kid, wrapped, context);
        handedOut.push(dek);
        return dek;
      }
      return gate.then(() => {
        if (state.failNext) {
          state.failNext = false;
          throw new Error('kms is down');
        }
        const dek = inner.unwrap(kid, wrapped, context);
        handedOut.push(dek);
        return dek;
      });
    },
    close() {
      state.closed += 1;
    },
  };
  return { keys, state, handedOut };
}

const zero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

describe('cachedKeys', () => {
  it('answers a repeated unwrap from the cache with a copy of the same data key', async () => {
    const { keys, state } = observed();
    const cache = cachedKeys(keys);
    const dek = generateKey();
    const wrapped = await cache.wrap('k1', dek, ctx(1));
    const a = await cache.unwrap('k1', wrapped, ctx(1));
    a.fill(0); // the envelope wipes what it is handed; the cache's copy must survive
    const b = await cache.unwrap('k1', wrapped, ctx(1));
    expect(b).toEqual(dek);
    expect(state.calls).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, size: 1, hitRate: 0.5 });
  });

  it('keys the cache by context too: a wrapped key moved elsewhere still fails', async () => {
    const cache = cachedKeys(observed().keys);
    const wrapped = await cache.wrap('k1', generateKey(), ctx(1));
    await cache.unwrap('k1', wrapped, ctx(1));
    await expect(Promise.resolve().then(() => cache.unwrap('k1', wrapped, ctx(2)))).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
    });
    const other = await cache.wrap('k1', generateKey(), ctx(1));
    expect(await cache.unwrap('k1', other, ctx(1))).not.toEqual(await cache.unwrap('k1', wrapped, ctx(1)));
  });

  it('coalesces concurrent unwraps of one wrapped key into one call', async () => {
    const { keys, state } = observed();
    const cache = cachedKeys(keys);
    const dek = generateKey();
    const wrapped = await cache.wrap('k1', dek, ctx(1));
    state.hold();
    const all = Array.from({ length: 20 }, () => cache.unwrap('k1', wrapped, ctx(1)));
    state.release();
    const results = await Promise.all(all);
    for (const r of results) expect(r).toEqual(dek);
    // Each caller owns its copy: wiping all but one leaves that one, and the cache's own, intact.
    for (const r of results.slice(0, -1)) r.fill(0);
    expect(results.map((r) => Buffer.from(r).toString('hex'))).toEqual([
      ...Array.from({ length: 19 }, () => '00'.repeat(dek.length)),
      Buffer.from(dek).toString('hex'),
    ]);
    expect(await cache.unwrap('k1', wrapped, ctx(1))).toEqual(dek);
    expect(state.calls).toBe(1);
    expect(cache.stats()).toMatchObject({ misses: 1, coalesced: 19, hits: 1 });
  });

  it('does not cache a failure: the next unwrap calls again', async () => {
    const { keys, state } = observed();
    const cache = cachedKeys(keys);
    const wrapped = await cache.wrap('k1', generateKey(), ctx(1));
    state.failNext = true;
    await expect(cache.unwrap('k1', wrapped, ctx(1))).rejects.toThrow('kms is down');
    expect(cache.stats().size).toBe(0);
    await cache.unwrap('k1', wrapped, ctx(1));
    expect(state.calls).toBe(2);
  });

  it('evicts the least recently used data key past maxEntries and wipes it', async () => {
    const { keys, handedOut } = observed(false);
    const events: UnwrapCacheEvent[] = [];
    const cache = cachedKeys(keys, { maxEntries: 2, onEvent: (e) => events.push(e) });
    const w = await Promise.all([1, 2, 3].map(async (n) => cache.wrap('k1', generateKey(), ctx(n))));
    await cache.unwrap('k1', w[0] as Uint8Array, ctx(1));
    await cache.unwrap('k1', w[1] as Uint8Array, ctx(2));
    await cache.unwrap('k1', w[0] as Uint8Array, ctx(1)); // 1 is now the most recent
    await cache.unwrap('k1', w[2] as Uint8Array, ctx(3)); // evicts 2
    expect(events.filter((e) => e.type === 'evict')).toEqual([{ type: 'evict', kid: 'k1', reason: 'size' }]);
    expect(zero(handedOut[1] as Uint8Array)).toBe(true);
    expect(zero(handedOut[0] as Uint8Array)).toBe(false);
    expect(cache.stats()).toMatchObject({ size: 2, evictions: 1, hits: 1, misses: 3 });
  });

  it('drops and wipes a data key ttlMs after its unwrap', async () => {
    const { keys, state, handedOut } = observed();
    let clock = 1_000;
    const cache = cachedKeys(keys, { ttlMs: 100, now: () => clock });
    const wrapped = await cache.wrap('k1', generateKey(), ctx(1));
    await cache.unwrap('k1', wrapped, ctx(1));
    clock += 99;
    await cache.unwrap('k1', wrapped, ctx(1));
    expect(state.calls).toBe(1);
    clock += 1;
    await cache.unwrap('k1', wrapped, ctx(1));
    expect(state.calls).toBe(2);
    expect(zero(handedOut[0] as Uint8Array)).toBe(true);
    expect(cache.stats().evictions).toBe(1);
  });

  it('wipes everything on close, closes the keyring underneath, and refuses afterwards', async () => {
    const { keys, state, handedOut } = observed();
    const cache = cachedKeys(keys);
    const wrapped = await cache.wrap('k1', generateKey(), ctx(1));
    await cache.unwrap('k1', wrapped, ctx(1));
    await cache.close();
    expect(zero(handedOut[0] as Uint8Array)).toBe(true);
    expect(state.closed).toBe(1);
    expect(() => cache.unwrap('k1', wrapped, ctx(1))).toThrow(expect.objectContaining({ code: 'KEY_UNAVAILABLE' }));
  });

  it('refuses bad options', () => {
    const { keys } = observed();
    for (const options of [{ maxEntries: 0 }, { ttlMs: -1 }, { maxEntries: 1.5 }]) {
      expect(() => cachedKeys(keys, options)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('serves a vault: a hot get skips the unwrap', async () => {
    const { keys, state } = observed(false);
    const cache = cachedKeys(keys);
    const vault = createVault({ keyring: cache, schema: connectionSchema, namespace: 'c' });
    await vault.set('a', connection());
    for (let i = 0; i < 10; i++) expect((await vault.get('a'))?.accessToken).toBe(connection().accessToken);
    expect(state.calls).toBe(1);
    expect(cache.stats().hits).toBe(9);
  });
});
