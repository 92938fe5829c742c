import { connectionSchema, createVault, memoryStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

import { memoryVault, testKeyring } from './support/vault.js';

describe('vault.update', () => {
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
