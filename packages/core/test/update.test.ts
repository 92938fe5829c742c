import { connectionSchema, createVault, memoryStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

import { memoryVault, testKeyring } from './support/vault.js';

describe('vault.update', () => {
  it('loses no update on the default store: 25 concurrent updates of one record all land', async () => {
    // No store given: the default in-memory store has compare-and-set, so an update that lost
    // the race reads again and retries instead of overwriting the one that won.
    const vault = createVault({ keyring: testKeyring(), schema: connectionSchema, namespace: 'n' });
    await vault.set('c1', connection({ accountUrl: 'https://example.com/0' }));
    const bump = (url: string | undefined) => `https://example.com/${Number(url?.split('/').pop()) + 1}`;
    await Promise.all(
      Array.from({ length: 25 }, () =>
        vault.update('c1', async (current) => {
          await new Promise((resolve) => setTimeout(resolve, 1)); // every update reads before any writes
          return current && { ...current, accountUrl: bump(current.accountUrl) };
        }),
      ),
    );
    expect((await vault.get('c1'))?.accountUrl).toBe('https://example.com/25');
  });

  it('reads, applies and writes, returning the stored record', async () => {
    const { vault } = memoryVault();
    await vault.set('c1', connection({ status: 'active' }));
    const updated = await vault.update('c1', (current) => current && { ...current, status: 'paused' });
    expect(updated?.status).toBe('paused');
    expect((await vault.get('c1'))?.status).toBe('paused');
    expect(updated?.accessToken).toBe(connection().accessToken);
  });

  it('creates from undefined, and leaves the record alone when the updater returns undefined', async () => {
    const { vault, raw } = memoryVault();
    expect(await vault.update('new', (current) => (current ? undefined : connection()))).toBeDefined();
    const before = await raw('new');
    expect((await vault.update('new', () => undefined))?.idProject).toBe(connection().idProject);
    expect(await raw('new')).toBe(before);
  });

  it('re-reads and retries when another writer changed the record in between', async () => {
    const store = memoryStore();
    const vault = createVault({ store, keyring: testKeyring(), schema: connectionSchema });
    await vault.set('c1', connection({ status: 's0' }));
    let calls = 0;
    const result = await vault.update('c1', async (current) => {
      calls += 1;
      if (calls === 1) await vault.set('c1', connection({ status: 'from-another-writer' }));
      return current && { ...current, status: `${current.status}+mine` };
    });
    expect(calls).toBe(2);
    expect(result?.status).toBe('from-another-writer+mine');
  });

  it('gives up with CONFLICT after maxAttempts lost races, leaving the other writer’s record', async () => {
    const store = memoryStore();
    const vault = createVault({ store, keyring: testKeyring(), schema: connectionSchema });
    await vault.set('c1', connection());
    let n = 0;
    const attempt = vault.update(
      'c1',
      async (current) => {
        await vault.set('c1', connection({ status: `other-${++n}` }));
        return current && { ...current, status: 'mine' };
      },
      { maxAttempts: 3 },
    );
    await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', id: 'c1' });
    expect((await vault.get('c1'))?.status).toBe('other-3');
  });

  it('refuses an invalid result with VALIDATION_FAILED and changes nothing', async () => {
    const { vault, raw } = memoryVault();
    await vault.set('c1', connection());
    const before = await raw('c1');
    await expect(vault.update('c1', (c) => c && ({ ...c, tokenType: 'nope' } as never))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      path: 'tokenType',
    });
    expect(await raw('c1')).toBe(before);
  });
});
