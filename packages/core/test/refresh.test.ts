import {
  type Connection,
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  memoryStore,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

import { memoryVault } from './support/vault.js';

const key = { kid: 'k1', key: generateKey() };
const expired = () =>
  connection({
    accessToken: 'old-access',
    refreshToken: 'old-refresh',
    expirationTimestamp: new Date(Date.now() - 1000),
  });

/** A provider stub: counts calls, answers after a delay, optionally fails. */
function provider(options: { fail?: Error; delayMs?: number } = {}) {
  let calls = 0;
  const refresher = async (current: Connection) => {
    calls += 1;
    await new Promise((r) => setTimeout(r, options.delayMs ?? 20));
    if (options.fail !== undefined) throw options.fail;
    return {
      ...current,
      accessToken: `new-access-${calls}`,
      refreshToken: `new-refresh-${calls}`,
      expirationTimestamp: new Date(Date.now() + 3_600_000),
    };
  };
  return { refresher, calls: () => calls };
}

describe('vault.refresh', () => {
  it('calls the refresher once for 50 concurrent callers, who all get the same new token', async () => {
    const { vault } = memoryVault();
    await vault.set('c1', expired());
    const p = provider();
    const results = await Promise.all(Array.from({ length: 50 }, () => vault.refresh('c1', p.refresher)));
    expect(p.calls()).toBe(1);
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set(['new-access-1']));
    expect((await vault.get('c1'))?.refreshToken).toBe('new-refresh-1');
  });

  it('does not call the provider while the token is fresh, unless forced', async () => {
    const { vault } = memoryVault();
    await vault.set('c1', connection({ expirationTimestamp: new Date(Date.now() + 3_600_000) }));
    const p = provider();
    expect((await vault.refresh('c1', p.refresher)).accessToken).toBe(connection().accessToken);
    expect(p.calls()).toBe(0);
    expect((await vault.refresh('c1', p.refresher, { skewMs: 2 * 3_600_000 })).accessToken).toBe('new-access-1');
    expect((await vault.refresh('c1', p.refresher, { force: true })).accessToken).toBe('new-access-2');
  });

  it('leaves the record unchanged and rejects every waiter when the refresher throws', async () => {
    const { vault, raw } = memoryVault();
    await vault.set('c1', expired());
    const before = await raw('c1');
    const providerError = new Error('invalid_grant: refresh token revoked');
    const p = provider({ fail: providerError });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => vault.refresh('c1', p.refresher)));
    expect(p.calls()).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(reason).toMatchObject({ code: 'REFRESH_FAILED', id: 'c1' });
      expect(reason.cause).toBe(providerError);
    }
    expect(await raw('c1')).toBe(before);
    const ok = provider();
    expect((await vault.refresh('c1', ok.refresher)).accessToken).toBe('new-access-1'); // a later call tries again
  });

  it('refuses a refresher result that does not validate, storing nothing', async () => {
    const { vault, raw } = memoryVault();
    await vault.set('c1', expired());
    const before = await raw('c1');
    await expect(vault.refresh('c1', (c) => ({ ...c, tokenType: 'oauth9' }) as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await raw('c1')).toBe(before);
  });

  it('throws NOT_FOUND for a record that does not exist', async () => {
    const { vault } = memoryVault();
    await expect(vault.refresh('nope', provider().refresher)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refreshes once across two vault instances sharing a store (a lease over compare-and-set)', async () => {
    const store = memoryStore();
    const [a, b] = [0, 1].map(() => createVault({ store, keyring: createKeyring([key]), schema: connectionSchema }));
    await a?.set('c1', expired());
    const p = provider({ delayMs: 100 });
    const results = await Promise.all([a?.refresh('c1', p.refresher), b?.refresh('c1', p.refresher)]);
    expect(p.calls()).toBe(1);
    expect(results.map((r) => r?.accessToken)).toEqual(['new-access-1', 'new-access-1']);
    expect([...store.map.keys()].some((k) => k.startsWith('~lease:'))).toBe(false); // released
  });

  it('keeps an application write made while the provider answered, with the new tokens on top', async () => {
    const store = memoryStore();
    const vault = createVault({ store, keyring: createKeyring([key]), schema: connectionSchema });
    await vault.set('c1', expired());
    const refreshed = await vault.refresh('c1', async (current) => {
      await vault.update('c1', (c) => c && { ...c, status: 'paused-by-user' }); // meanwhile
      return { ...current, accessToken: 'new-access', expirationTimestamp: new Date(Date.now() + 3_600_000) };
    });
    expect(refreshed.status).toBe('paused-by-user');
    expect(refreshed.accessToken).toBe('new-access');
    expect(await vault.get('c1')).toEqual(refreshed);
  });
});
