import { capability, type MakeStore, type SuitePartOptions, suiteStores, type TestApi } from './suite-context.js';

/** The part of the compliance suite for stores with batches (`setMany`, `getMany`): order kept, misses as `undefined`. */
export function batchSuite(test: TestApi, makeStore: MakeStore, options: SuitePartOptions = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);

  it.skipIf(options.skip === true)('batches: setMany then getMany, in order, misses as undefined', async () => {
    const { store, p } = await setup();
    const entries = Array.from({ length: 1200 }, (_, i) => [`${p}:b${i}`, `v${i}`] as const);
    await capability(store, 'setMany')(entries);
    const getMany = capability(store, 'getMany');
    const keys = [`${p}:missing`, ...entries.map(([k]) => k), `${p}:b0`];
    expect(await getMany(keys)).toEqual([undefined, ...entries.map(([, v]) => v), 'v0']);
    expect(await getMany([])).toEqual([]);
  });
}

/** The part of the compliance suite for stores that count (`count`): exactly the keys under a prefix. */
export function countSuite(test: TestApi, makeStore: MakeStore, options: SuitePartOptions = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);

  it.skipIf(options.skip === true)('counts the keys under a prefix', async () => {
    const { store, p } = await setup();
    for (let i = 0; i < 120; i++) await store.set(`${p}:c${i}`, 'v');
    await store.set(`${p}x:other`, 'v');
    const count = capability(store, 'count');
    expect(await count(`${p}:`)).toBe(120);
    expect(await count(`${p}:nothing:`)).toBe(0);
  });
}
