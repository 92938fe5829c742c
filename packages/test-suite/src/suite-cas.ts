import {
  capability,
  type MakeStore,
  refusesRepeatedKeys,
  type SuitePartOptions,
  suiteStores,
  type TestApi,
} from './suite-context.js';

/**
 * The part of the compliance suite for stores with compare-and-set (`compareAndSet` and
 * `compareAndSetMany`): insert, replace and delete only on a match; exactly one of 20 racing
 * writers wins; a batch where each entry succeeds or fails on its own; a batch that repeats a
 * key is refused with `INVALID_ARGUMENT` and changes nothing.
 */
export function compareAndSetSuite(test: TestApi, makeStore: MakeStore, options: SuitePartOptions = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);
  const skip = options.skip === true;

  it.skipIf(skip)('compare-and-set: inserts, replaces and deletes only on a match', async () => {
    const { store, p } = await setup();
    const cas = capability(store, 'compareAndSet');
    expect(await cas(`${p}:k`, 'nope', 'x')).toBe(false);
    expect(await store.has(`${p}:k`)).toBe(false);
    expect(await cas(`${p}:k`, undefined, 'v1')).toBe(true);
    expect(await cas(`${p}:k`, undefined, 'v2')).toBe(false);
    expect(await store.get(`${p}:k`)).toBe('v1');
    expect(await cas(`${p}:k`, 'v0', 'v2')).toBe(false);
    expect(await cas(`${p}:k`, 'v1', 'v2')).toBe(true);
    expect(await store.get(`${p}:k`)).toBe('v2');
    expect(await cas(`${p}:k`, 'v1', undefined)).toBe(false);
    expect(await cas(`${p}:k`, 'v2', undefined)).toBe(true);
    expect(await store.has(`${p}:k`)).toBe(false);
  });

  it.skipIf(skip)('compare-and-set: exactly one of 20 racing writers wins', async () => {
    const { store, p } = await setup();
    const cas = capability(store, 'compareAndSet');
    await store.set(`${p}:race`, 'start');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cas(`${p}:race`, 'start', `w${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get(`${p}:race`)).toBe(`w${results.indexOf(true)}`);
  });

  it.skipIf(skip)('compare-and-set many: each entry on its own, in one call', async () => {
    const { store, p } = await setup();
    const many = capability(store, 'compareAndSetMany');
    const keys = Array.from({ length: 600 }, (_, i) => `${p}:m${i}`);
    for (const key of keys) await store.set(key, 'old');
    await store.set(keys[5] as string, 'changed-meanwhile');
    await store.delete(keys[7] as string);
    const results = await many(keys.map((key) => [key, 'old', `new-${key}`] as const));
    expect(results.filter((ok) => !ok)).toHaveLength(2);
    expect([results[5], results[7]]).toEqual([false, false]);
    expect(await store.get(keys[5] as string)).toBe('changed-meanwhile');
    expect(await store.has(keys[7] as string)).toBe(false);
    expect(await store.get(keys[0] as string)).toBe(`new-${keys[0]}`);
    expect(await many([])).toEqual([]);
  });

  refusesRepeatedKeys(test, setup, skip, 'compare-and-set many', 'compareAndSetMany');
}
