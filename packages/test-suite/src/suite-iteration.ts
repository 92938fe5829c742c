import {
  capability,
  collect,
  type MakeStore,
  type SuitePartOptions,
  suiteStores,
  type TestApi,
} from './suite-context.js';

/**
 * The part of the compliance suite for stores that iterate (`entries`): prefixes kept apart
 * (wildcard characters included), each record yielded exactly once, also while records are
 * added and updated during the scan.
 */
export function iterationSuite(test: TestApi, makeStore: MakeStore, options: SuitePartOptions = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);
  const skip = options.skip === true;
  const records = options.records ?? 1000;

  it.skipIf(skip)('keeps prefixes apart in iteration, wildcard characters included', async () => {
    const { store, p } = await setup();
    const entries = capability(store, 'entries');
    const prefixes = [`${p}_a:`, `${p}Xa:`, `${p}%a:`, `${p}_ab:`, `${p}_a:x:`];
    for (const prefix of prefixes) await store.set(`${prefix}k`, prefix);
    for (const prefix of prefixes) {
      const seen = await collect(entries(prefix));
      const expected = prefixes.filter((other) => other.startsWith(prefix)).map((other) => `${other}k`);
      expect(seen.map(([k]) => k).sort()).toEqual(expected.sort());
    }
  });

  it.skipIf(skip)(`yields each of ${records} records exactly once`, async () => {
    const { store, p } = await setup();
    const keys = Array.from({ length: records }, (_, i) => `${p}:r${String(i).padStart(5, '0')}`);
    for (const key of keys) await store.set(key, `value-${key}`);
    await store.set(`${p}x:other`, 'other namespace');
    const seen = await collect(capability(store, 'entries')(`${p}:`));
    expect(seen.length).toBe(records);
    expect(new Set(seen.map(([k]) => k)).size).toBe(records);
    for (const [key, value] of seen) expect(value).toBe(`value-${key}`);
  });

  it.skipIf(skip)('yields each existing record once while records are written during the scan', async () => {
    const { store, p } = await setup();
    const keys = Array.from({ length: records }, (_, i) => `${p}:r${String(i).padStart(5, '0')}`);
    for (const key of keys) await store.set(key, 'old');
    const counts = new Map<string, number>();
    let written = 0;
    for await (const [key, value] of capability(store, 'entries')(`${p}:`)) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      expect(['old', 'new', 'added']).toContain(value);
      if (counts.size % 50 === 0) {
        written += 1;
        await store.set(`${p}:a${written}`, 'added'); // sorts before the scan position
        await store.set(`${p}:z${written}`, 'added'); // sorts after it
        await store.set(keys[(written * 37) % records] as string, 'new'); // an update anywhere
      }
    }
    for (const key of keys) expect(counts.get(key), key).toBe(1);
    for (const [key, count] of counts) expect(count, key).toBe(1);
  });
}
