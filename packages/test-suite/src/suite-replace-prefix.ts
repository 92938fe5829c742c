import {
  capability,
  type MakeStore,
  refusesRepeatedKeys,
  type SuitePartOptions,
  suiteStores,
  type TestApi,
} from './suite-context.js';

/**
 * The part of the compliance suite for stores with `replacePrefixMany` (what a rotation writes:
 * a new envelope head on the rest of the stored text): a value that starts with the prefix gets
 * the replacement and keeps its rest, of the same length or not, multi-byte characters and NUL
 * included, in the prefix or the rest; a value that does not, an absent key and an empty prefix
 * are left alone; each entry on its own in a batch of 1,500 (more than one chunk on Redis); a
 * batch that repeats a key is refused and changes nothing.
 */
export function replacePrefixSuite(test: TestApi, makeStore: MakeStore, options: SuitePartOptions = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);
  const skip = options.skip === true;

  it.skipIf(skip)('replace prefix many: replaces the start only where it matches, and keeps the rest', async () => {
    const { store, p } = await setup();
    const replace = capability(store, 'replacePrefixMany');
    const rest = 'sealed.{"name":"Zoë — 東京 🚀"}';
    const at = (name: string) => `${p}:${name}`;
    for (const name of ['same', 'longer', 'shorter', 'other', 'short', 'empty'])
      await store.set(at(name), `cv1.k0.AAAA.${rest}`);
    await store.set(at('other'), `cv1.k0.AAAB.${rest}`);
    await store.set(at('short'), 'cv1.k0');
    const results = await replace([
      [at('same'), 'cv1.k0.AAAA.', 'cv1.k1.BBBB.'],
      [at('longer'), 'cv1.k0.AAAA.', 'cv1.k10.CCCCCC.'],
      [at('shorter'), 'cv1.k0.AAAA.', 'cv1.D.'],
      [at('other'), 'cv1.k0.AAAA.', 'cv1.k1.BBBB.'],
      [at('short'), 'cv1.k0.AAAA.', 'cv1.k1.BBBB.'],
      [at('absent'), 'cv1.k0.AAAA.', 'cv1.k1.BBBB.'],
      [at('empty'), '', 'cv1.k1.BBBB.'],
    ]);
    expect(results).toEqual([true, true, true, false, false, false, false]);
    expect(await store.get(at('same'))).toBe(`cv1.k1.BBBB.${rest}`);
    expect(await store.get(at('longer'))).toBe(`cv1.k10.CCCCCC.${rest}`);
    expect(await store.get(at('shorter'))).toBe(`cv1.D.${rest}`);
    expect(await store.get(at('other'))).toBe(`cv1.k0.AAAB.${rest}`);
    expect(await store.get(at('short'))).toBe('cv1.k0');
    expect(await store.has(at('absent'))).toBe(false);
    expect(await store.get(at('empty'))).toBe(`cv1.k0.AAAA.${rest}`);
    expect(await replace([])).toEqual([]);
  });

  it.skipIf(skip)('replace prefix many: multi-byte characters and NUL, in the prefix or the rest', async () => {
    const { store, p } = await setup();
    const replace = capability(store, 'replacePrefixMany');
    const at = (name: string) => `${p}:${name}`;
    await store.set(at('accent'), 'é.rest é');
    await store.set(at('astral'), '🚀.rest 🚀');
    await store.set(at('bytes'), 'ab.rest'); // 'é' is two bytes in UTF-8, as 'ab'
    // A value with NUL characters, where the store holds one (PostgreSQL's text cannot).
    const nul = 'a.b\u0000c\u0000';
    const holdsNul = await store.set(at('nul'), nul).then(
      async () => (await store.get(at('nul'))) === nul,
      () => false,
    );
    const results = await replace([
      [at('accent'), 'é.', 'ab.'],
      [at('astral'), '🚀.', 'r.'],
      [at('bytes'), 'é.', 'x.'],
      ...(holdsNul ? [[at('nul'), 'a.', 'z.'] as const] : []),
    ]);
    expect(results).toEqual([true, true, false, ...(holdsNul ? [true] : [])]);
    expect(await store.get(at('accent'))).toBe('ab.rest é');
    expect(await store.get(at('astral'))).toBe('r.rest 🚀');
    expect(await store.get(at('bytes'))).toBe('ab.rest');
    if (holdsNul) expect(await store.get(at('nul'))).toBe(`z${nul.slice(1)}`);
  });

  it.skipIf(skip)('replace prefix many: each entry on its own, in one call', async () => {
    const { store, p } = await setup();
    const replace = capability(store, 'replacePrefixMany');
    const keys = Array.from({ length: 1500 }, (_, i) => `${p}:m${i}`);
    for (const key of keys) await store.set(key, `old.${key}`);
    await store.set(keys[5] as string, 'changed-meanwhile');
    await store.delete(keys[1200] as string);
    const results = await replace(keys.map((key) => [key, 'old.', 'new.'] as const));
    expect(results.flatMap((ok, i) => (ok ? [] : [i]))).toEqual([5, 1200]);
    expect(await store.get(keys[5] as string)).toBe('changed-meanwhile');
    expect(await store.has(keys[1200] as string)).toBe(false);
    expect(await store.get(keys[0] as string)).toBe(`new.${keys[0]}`);
    expect(await store.get(keys[1499] as string)).toBe(`new.${keys[1499]}`);
  });

  refusesRepeatedKeys(test, setup, skip, 'replace prefix many', 'replacePrefixMany');
}
