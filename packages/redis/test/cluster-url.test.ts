import { isVaultError } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { clusterOptionsFromUrl, isClusterUrl, redisStore } from '../src/index.js';

describe('redis+cluster:// URLs', () => {
  it('names every listed node a root node, with credentials and TLS for all', () => {
    expect(isClusterUrl('redis+cluster://a:1')).toBe(true);
    expect(isClusterUrl('redis://a:1')).toBe(false);
    expect(clusterOptionsFromUrl('redis+cluster://10.0.0.1:6379,10.0.0.2:7000')).toEqual({
      rootNodes: [{ url: 'redis://10.0.0.1:6379' }, { url: 'redis://10.0.0.2:7000' }],
      defaults: {},
    });
    expect(clusterOptionsFromUrl('rediss+cluster://app:p%40ss@h1:6380,[::1]:6381/')).toEqual({
      rootNodes: [{ url: 'rediss://h1:6380' }, { url: 'rediss://[::1]:6381' }],
      defaults: { username: 'app', password: 'p@ss', socket: { tls: true } },
    });
    expect(clusterOptionsFromUrl('redis+cluster://:secret@h1:1').defaults).toEqual({ password: 'secret' });
  });

  it.each(['redis+cluster://', 'redis+cluster://host', 'redis+cluster://h:1,,h2', 'redis+cluster://h:1/db'])(
    'refuses %s with INVALID_ARGUMENT',
    (url) => {
      const error = (() => {
        try {
          redisStore({ url });
        } catch (e) {
          return e;
        }
      })();
      expect(isVaultError(error, 'INVALID_ARGUMENT')).toBe(true);
    },
  );

  it.each([
    ['redis+cluster://us%ZZer:hunter2-secret@h1:1', 'url.username'],
    ['redis+cluster://user:hunter2%E0%A4%A-secret@h1:1', 'url.password'],
  ])('refuses a malformed escape in %s with INVALID_ARGUMENT on %s, never echoing the password', (url, path) => {
    const error = (() => {
      try {
        clusterOptionsFromUrl(url);
      } catch (e) {
        return e;
      }
    })();
    expect(isVaultError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as { path?: string }).path).toBe(path);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('never prints the password of a cluster URL', async () => {
    const store = redisStore({ url: 'redis+cluster://user:hunter2-secret@127.0.0.1:1,127.0.0.1:2', timeout: 300 });
    const error = await store.get('k').catch((e: unknown) => e);
    expect(isVaultError(error, 'STORE_FAILED')).toBe(true);
    expect((error as Error).message).not.toContain('hunter2-secret');
    expect((error as Error).message).toContain('redis+cluster://***@127.0.0.1:1,127.0.0.1:2');
    await store.close();
  });
});
