import type { VaultStore } from '@credvault/core';
import type * as Vitest from 'vitest';

/** The parts of the vitest API the suite uses: pass `import * as vitest from 'vitest'`. */
export type TestApi = Pick<typeof Vitest, 'describe' | 'it' | 'expect' | 'afterEach'>;

/** Makes a store for one test; the suite closes it afterwards. */
export type MakeStore = () => VaultStore | Promise<VaultStore>;

/** Options of each part of the compliance suite. */
export interface SuitePartOptions {
  /** Register the part's tests as skipped (the store lacks the capability). Default false. */
  readonly skip?: boolean;
  /** Records for the iteration tests. Default 1000. */
  readonly records?: number;
}

/** A fresh store and a key prefix no other test uses (stores may share one backend). */
export interface SuiteStore {
  readonly store: VaultStore;
  readonly p: string;
}

let run = 0;

/**
 * The per-test set-up every part shares: `setup()` makes a store and a unique key prefix; the
 * stores made by a test are closed after it.
 */
export function suiteStores(test: TestApi, makeStore: MakeStore): () => Promise<SuiteStore> {
  const open: VaultStore[] = [];
  test.afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close?.()));
  });
  return async () => {
    const store = await makeStore();
    open.push(store);
    run += 1;
    return { store, p: `suite${process.pid}x${Date.now().toString(36)}x${run}` };
  };
}

/** Every pair an async iterable yields. */
export async function collect(iterable: AsyncIterable<readonly [string, string]>): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [key, value] of iterable) out.push([key, value]);
  return out;
}

/** A capability the store must have for the test that calls this: the method, bound. */
export function capability<K extends keyof VaultStore>(store: VaultStore, name: K): NonNullable<VaultStore[K]> {
  const method = store[name];
  if (typeof method !== 'function') throw new Error(`the ${store.name} store has no ${String(name)}()`);
  return method.bind(store) as NonNullable<VaultStore[K]>;
}

/**
 * Registers the test that `method`, a batch method with `[key, a, b]` entries, refuses a batch
 * that repeats a key with `INVALID_ARGUMENT` (path `entries`) and writes none of it.
 */
export function refusesRepeatedKeys(
  test: TestApi,
  setup: () => Promise<SuiteStore>,
  skip: boolean,
  title: string,
  method: 'compareAndSetMany' | 'replacePrefixMany',
): void {
  const { it, expect } = test;
  it.skipIf(skip)(`${title}: refuses a batch that repeats a key, and changes nothing`, async () => {
    const { store, p } = await setup();
    const write = capability(store, method);
    await store.set(`${p}:d1`, 'old.');
    await store.set(`${p}:d2`, 'old.');
    const batch = [
      [`${p}:d1`, 'old.', 'first.'],
      [`${p}:d2`, 'old.', 'other.'],
      [`${p}:d1`, 'first.', 'second.'],
    ] as const;
    await expect(write(batch)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', path: 'entries' });
    expect(await store.get(`${p}:d1`)).toBe('old.');
    expect(await store.get(`${p}:d2`)).toBe('old.');
  });
}
