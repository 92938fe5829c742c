import type { VaultStore } from '@credvault/core';
import { basicStoreSuite } from './suite-basic.js';
import { batchSuite, countSuite } from './suite-batch.js';
import { compareAndSetSuite } from './suite-cas.js';
import { type MakeStore, suiteStores, type TestApi } from './suite-context.js';
import { iterationSuite } from './suite-iteration.js';
import { replacePrefixSuite } from './suite-replace-prefix.js';
import { vaultOnStoreSuite } from './suite-vault.js';

export type { MakeStore, SuitePartOptions, TestApi } from './suite-context.js';

/** Optional capabilities a store may lack; the suite checks the declaration and skips their tests. */
export interface StoreLacks {
  /** `compareAndSet` and `compareAndSetMany`. */
  readonly compareAndSet?: boolean;
  /** `replacePrefixMany`. */
  readonly replacePrefix?: boolean;
  readonly count?: boolean;
  readonly batch?: boolean;
  readonly iterate?: boolean;
}

/** Options of {@link storeComplianceSuite}. */
export interface ComplianceOptions {
  /** Name shown in the test titles. */
  readonly name: string;
  /** Capabilities the store does not have. */
  readonly lacks?: StoreLacks;
  /** Records for the iteration tests. Default 1000. */
  readonly records?: number;
}

/**
 * The part of the compliance suite that checks a store declares exactly the optional
 * capabilities it has (a method present must work; one absent is said to be absent).
 */
export function capabilitiesSuite(test: TestApi, makeStore: MakeStore, lacks: StoreLacks = {}): void {
  const { it, expect } = test;
  const setup = suiteStores(test, makeStore);
  it('declares exactly the capabilities it has', async () => {
    const { store } = await setup();
    const has = (name: keyof VaultStore) => typeof store[name] === 'function';
    expect(has('compareAndSet')).toBe(!lacks.compareAndSet);
    expect(has('compareAndSetMany')).toBe(!lacks.compareAndSet);
    expect(has('replacePrefixMany')).toBe(!lacks.replacePrefix);
    expect(has('count')).toBe(!lacks.count);
    expect(has('getMany') && has('setMany')).toBe(!lacks.batch);
    expect(has('entries')).toBe(!lacks.iterate);
  });
}

/**
 * Registers every part of the store compliance suite in one `describe`: capabilities,
 * {@link basicStoreSuite}, {@link iterationSuite}, {@link compareAndSetSuite}, {@link replacePrefixSuite},
 * {@link countSuite}, {@link batchSuite} and {@link vaultOnStoreSuite}; the parts of a
 * capability the store lacks are registered as skipped. Every test uses its own key prefix,
 * so stores may share one backend. Each part is also exported on its own.
 *
 * @example
 * ```ts
 * import * as vitest from 'vitest'
 * storeComplianceSuite(vitest, () => sqliteStore({ path: tmpFile() }), { name: 'sqlite' })
 * ```
 */
export function storeComplianceSuite(test: TestApi, makeStore: MakeStore, options: ComplianceOptions): void {
  const lacks = options.lacks ?? {};
  test.describe(`${options.name} store compliance`, () => {
    capabilitiesSuite(test, makeStore, lacks);
    basicStoreSuite(test, makeStore);
    iterationSuite(test, makeStore, { skip: lacks.iterate === true, records: options.records ?? 1000 });
    compareAndSetSuite(test, makeStore, { skip: lacks.compareAndSet === true });
    replacePrefixSuite(test, makeStore, { skip: lacks.replacePrefix === true });
    countSuite(test, makeStore, { skip: lacks.count === true });
    batchSuite(test, makeStore, { skip: lacks.batch === true });
    vaultOnStoreSuite(test, makeStore);
  });
}
