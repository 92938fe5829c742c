import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

const run = promisify(execFile);

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

  it('does not fail the operation when a listener throws or rejects: onListenerError hears it, nothing is uncaught', async () => {
    const heard: [string, string][] = [];
    const vault = createVault({
      store: memoryStore(),
      keyring: createKeyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionSchema,
      onListenerError: (error, event) => {
        heard.push([String(error), `${event.type}:${event.id}`]);
        throw new Error('the handler fails too'); // dropped
      },
    });
    const uncaught: unknown[] = [];
    const handler = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', handler);
    process.on('unhandledRejection', handler);
    vault.on('set', () => {
      throw new Error('audit sink down');
    });
    vault.on('*', () => Promise.reject(new Error('async sink down')));
    await expect(vault.set('c1', connection())).resolves.toBeUndefined();
    await expect(vault.set('c2', connection())).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    process.off('uncaughtException', handler);
    process.off('unhandledRejection', handler);
    expect(uncaught).toEqual([]);
    expect(heard.sort()).toEqual([
      ['Error: async sink down', 'set:c1'],
      ['Error: async sink down', 'set:c2'],
      ['Error: audit sink down', 'set:c1'],
      ['Error: audit sink down', 'set:c2'],
    ]);
    expect(await vault.has('c1')).toBe(true);
  });

  it('refuses an onListenerError that is not a function', () => {
    const keyring = createKeyring([{ kid: 'k', key: generateKey() }]);
    const options = { keyring, schema: connectionSchema, onListenerError: 42 as unknown as () => void };
    expect(() => createVault(options)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'onListenerError' }),
    );
  });

  it('survives in a Node process: the operations resolve and each failing listener is reported once', async () => {
    const script = fileURLToPath(new URL('./support/throwing-listener.ts', import.meta.url));
    const { stdout, stderr } = await run(
      process.execPath,
      ['--conditions=@credvault/source', '--import', 'tsx', script],
      {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      },
    );
    expect(stdout.trim().split('\n')).toEqual(['resolved 2', 'alive']);
    const warnings = stderr.split('\n').filter((line) => line.includes('CredvaultListenerWarning'));
    expect(warnings).toHaveLength(2); // two listeners, four failures: one report each
    expect(stderr).toContain('audit sink down');
    expect(stderr).toContain('async audit sink down');
  }, 30_000);
});
