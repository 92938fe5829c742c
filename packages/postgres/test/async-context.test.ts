import { AsyncLocalStorage } from 'node:async_hooks';
import { usePostgresServer } from '@credvault/test-suite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { postgresStore } from '../src/index.js';

const server = usePostgresServer({ beforeAll, afterAll });

describe.skipIf(!server.available)('postgresStore and the process', () => {
  afterEach(() => vi.restoreAllMocks());

  // On Node 20 and 22 the first AsyncLocalStorage run turns on promise hooks for the whole
  // process: every await of the application then costs several times more
  // (an awaited async call 229 to 1,184 ns on this project's CI VM). The store's timeout budget
  // is passed along instead.
  it('keeps no async context, so it slows no promise of the application', async () => {
    const run = vi.spyOn(AsyncLocalStorage.prototype, 'run');
    const enterWith = vi.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    const store = postgresStore({ url: server.url() }, { table: 'async_context' });
    await store.set('a', '1');
    expect(await store.get('a')).toBe('1');
    expect(await store.compareAndSet('a', '1', '2')).toBe(true);
    expect(await store.getMany(['a', 'b'])).toEqual(['2', undefined]);
    const keys: string[] = [];
    for await (const [key] of store.entries('')) keys.push(key);
    expect(keys).toEqual(['a']);
    const lease = await store.lease('job', 1000);
    expect(await lease?.release()).toBe(true);
    expect(await store.adapter.get('a')).toBeDefined();
    await store.close();
    expect(run).not.toHaveBeenCalled();
    expect(enterWith).not.toHaveBeenCalled();
  });
});
