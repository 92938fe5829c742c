import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  memoryStore,
  type VaultEvent,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection, SECRET_STRINGS } from './support/fixtures.js';

describe('vault events', () => {
  it('fires set, get, delete, refresh, refreshFailed, rotate and decryptFailed with the documented fields and no secret', async () => {
    const store = memoryStore();
    const old = { kid: 'old', key: generateKey() };
    const before = createVault({ store, keyring: createKeyring([old]), schema: connectionSchema, namespace: 'ev' });
    await before.set('r', connection());
    const vault = createVault({
      store,
      keyring: createKeyring([{ kid: 'new', key: generateKey() }, old]),
      schema: connectionSchema,
      namespace: 'ev',
    });
    const events: VaultEvent[] = [];
    const stop = vault.on('*', (event) => events.push(event));
    const sets: string[] = [];
    vault.on('set', (event) => sets.push(event.id));

    await vault.set('c1', connection({ expirationTimestamp: new Date(0) }));
    await vault.get('c1');
    await vault.refresh('c1', (c) => ({ ...c, expirationTimestamp: new Date(Date.now() + 3_600_000) }), {
      force: true,
    });
    await vault.refresh('c1', () => Promise.reject(new Error('provider down')), { force: true }).catch(() => undefined);
    await vault.rotate();
    store.map.set('ev:bad', (store.map.get('ev:c1') as string).replace('"status":"active"', '"status":"x"'));
    await vault.get('bad').catch(() => undefined);
    await vault.delete('c1');
    stop();
    await vault.set('after-stop', connection());

    expect(events.map((e) => `${e.type}:${e.id}`)).toEqual([
      'set:c1',
      'get:c1',
      'get:c1', // refresh reads
      'get:c1',
      'set:c1',
      'refresh:c1',
      'get:c1',
      'get:c1',
      'refreshFailed:c1',
      'rotate:r',
      'decryptFailed:bad',
      'delete:c1',
    ]);
    expect(sets).toEqual(['c1', 'c1', 'after-stop']);
    for (const event of events) {
      expect(event.namespace).toBe('ev');
      expect(event.time).toBeInstanceOf(Date);
      expect(Object.keys(event).sort()).toEqual(
        [
          'id',
          'kid',
          'namespace',
          'time',
          'type',
          ...('code' in event ? ['code'] : []),
          ...('fromKid' in event ? ['fromKid'] : []),
        ].sort(),
      );
      const shown = JSON.stringify(event);
      for (const secret of SECRET_STRINGS) expect(shown).not.toContain(secret);
    }
    expect(events.find((e) => e.type === 'rotate')).toMatchObject({ kid: 'new', fromKid: 'old' });
    expect(events.find((e) => e.type === 'set')?.kid).toBe('new');
    expect(events.find((e) => e.type === 'refreshFailed')).toMatchObject({ code: 'REFRESH_FAILED' });
    expect(events.find((e) => e.type === 'decryptFailed')).toMatchObject({ code: 'DECRYPT_FAILED', kid: 'new' });
  });

  it('does not fail the operation when a listener throws', async () => {
    const vault = createVault({
      store: memoryStore(),
      keyring: createKeyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
    });
    const uncaught: unknown[] = [];
    const handler = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', handler);
    vault.on('set', () => {
      throw new Error('audit sink down');
    });
    await expect(vault.set('c1', connection())).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    process.off('uncaughtException', handler);
    expect(String(uncaught[0])).toContain('audit sink down');
    expect(await vault.has('c1')).toBe(true);
  });
});
