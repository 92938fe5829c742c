import type { VaultStore } from '@credvault/core';
import { collect, type MakeStore, type SuitePartOptions, suiteStores, type TestApi } from './suite-context.js';

/**
 * The part of the compliance suite every store passes: get, set, overwrite, has, delete;
 * unicode and odd keys kept apart and exact; a 1 MiB value intact.
 *
 * @example
 * ```ts
 * import * as vitest from 'vitest'
 * describe('my store', () => basicStoreSuite(vitest, () => myStore()))
 * ```
 */
export function basicStoreSuite(test: TestApi, makeStore: MakeStore, options: SuitePartOptions = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);
  const skip = options.skip === true;

  it.skipIf(skip)('gets, sets, overwrites, has and deletes', async () => {
    const { store, p } = await setup();
    expect(await store.get(`${p}:a`)).toBeUndefined();
    expect(await store.has(`${p}:a`)).toBe(false);
    await store.set(`${p}:a`, 'one');
    expect(await store.get(`${p}:a`)).toBe('one');
    await store.set(`${p}:a`, 'two');
    expect(await store.get(`${p}:a`)).toBe('two');
    expect(await store.has(`${p}:a`)).toBe(true);
    expect(await store.delete(`${p}:a`)).toBe(true);
    expect(await store.delete(`${p}:a`)).toBe(false);
    expect(await store.get(`${p}:a`)).toBeUndefined();
  });

  it.skipIf(skip)('keeps unicode and odd keys apart and exact', async () => {
    const { store, p } = await setup();
    const keys = ['🔑/ünï:cødé', "it's", 'per%cent', 'under_score', 'new\nline', 'sp ace', '*?[]', 'ключ', '鍵'];
    for (const [i, key] of keys.entries()) await store.set(`${p}:${key}`, `v${i}`);
    for (const [i, key] of keys.entries()) expect(await store.get(`${p}:${key}`)).toBe(`v${i}`);
    const entries: VaultStore['entries'] = store.entries;
    if (entries !== undefined) {
      const seen = await collect(entries.call(store, `${p}:`));
      expect(seen.map(([k]) => k).sort()).toEqual(keys.map((k) => `${p}:${k}`).sort());
    }
  });

  it.skipIf(skip)('stores a 1 MiB value intact', async () => {
    const { store, p } = await setup();
    const big = 'x'.repeat(1 << 19) + 'é'.repeat(1 << 18) + '🔐'.repeat(1 << 16);
    await store.set(`${p}:big`, big);
    expect(await store.get(`${p}:big`)).toBe(big);
  });
}
