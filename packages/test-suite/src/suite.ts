import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  isVaultError,
  type VaultStore,
} from '@credvault/core';
import type * as Vitest from 'vitest';
import { SUITE_SECRETS, suiteConnection } from './fixture.js';

/** The parts of the vitest API the suite uses: pass `import * as vitest from 'vitest'`. */
export type TestApi = Pick<typeof Vitest, 'describe' | 'it' | 'expect' | 'afterEach'>;

/** Optional capabilities a store may lack; the suite checks the declaration and skips their tests. */
export interface StoreLacks {
  /** `compareAndSet` and `compareAndSetMany`. */
  readonly compareAndSet?: boolean;
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

/** Makes a store for one test; the suite closes it afterwards. */
export type MakeStore = () => VaultStore | Promise<VaultStore>;

async function collect(iterable: AsyncIterable<readonly [string, string]>): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const [key, value] of iterable) out.push([key, value]);
  return out;
}

/**
 * Registers the store compliance tests: get/set/delete/has, namespaces kept apart, iteration
 * (also during writes), compare-and-set, batches, large values, unicode keys, and the vault's
 * round trip and tamper detection on top of the store. Every test uses its own key prefix,
 * so stores may share one backend.
 *
 * @example
 * ```ts
 * import * as vitest from 'vitest'
 * storeComplianceSuite(vitest, () => sqliteStore({ path: tmpFile() }), { name: 'sqlite' })
 * ```
 */
export function storeComplianceSuite(test: TestApi, makeStore: MakeStore, options: ComplianceOptions): void {
  const { describe, it, expect, afterEach } = test;
  const lacks = options.lacks ?? {};
  const records = options.records ?? 1000;
  const open: VaultStore[] = [];
  let run = 0;

  async function setup(): Promise<{ store: VaultStore; p: string }> {
    const store = await makeStore();
    open.push(store);
    run += 1;
    return { store, p: `suite${process.pid}x${Date.now().toString(36)}x${run}` };
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close?.()));
  });

  describe(`${options.name} store compliance`, () => {
    it('declares exactly the capabilities it has', async () => {
      const { store } = await setup();
      expect(typeof store.compareAndSet === 'function').toBe(!lacks.compareAndSet);
      expect(typeof store.compareAndSetMany === 'function').toBe(!lacks.compareAndSet);
      expect(typeof store.count === 'function').toBe(!lacks.count);
      expect(typeof store.getMany === 'function' && typeof store.setMany === 'function').toBe(!lacks.batch);
      expect(typeof store.entries === 'function').toBe(!lacks.iterate);
    });

    it('gets, sets, overwrites, has and deletes', async () => {
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

    it('keeps unicode and odd keys apart and exact', async () => {
      const { store, p } = await setup();
      const keys = ['🔑/ünï:cødé', "it's", 'per%cent', 'under_score', 'new\nline', 'sp ace', '*?[]', 'ключ', '鍵'];
      for (const [i, key] of keys.entries()) await store.set(`${p}:${key}`, `v${i}`);
      for (const [i, key] of keys.entries()) expect(await store.get(`${p}:${key}`)).toBe(`v${i}`);
      if (store.entries !== undefined) {
        const seen = await collect(store.entries(`${p}:`));
        expect(seen.map(([k]) => k).sort()).toEqual(keys.map((k) => `${p}:${k}`).sort());
      }
    });

    it('stores a 1 MiB value intact', async () => {
      const { store, p } = await setup();
      const big = 'x'.repeat(1 << 19) + 'é'.repeat(1 << 18) + '🔐'.repeat(1 << 16);
      await store.set(`${p}:big`, big);
      expect(await store.get(`${p}:big`)).toBe(big);
    });

    it.skipIf(lacks.iterate)('keeps prefixes apart in iteration, wildcard characters included', async () => {
      const { store, p } = await setup();
      const prefixes = [`${p}_a:`, `${p}Xa:`, `${p}%a:`, `${p}_ab:`, `${p}_a:x:`];
      for (const prefix of prefixes) await store.set(`${prefix}k`, prefix);
      const entries = store.entries as NonNullable<VaultStore['entries']>;
      for (const prefix of prefixes) {
        const seen = await collect(entries.call(store, prefix));
        const expected = prefixes.filter((other) => other.startsWith(prefix)).map((other) => `${other}k`);
        expect(seen.map(([k]) => k).sort()).toEqual(expected.sort());
      }
    });

    it.skipIf(lacks.iterate)(`yields each of ${records} records exactly once`, async () => {
      const { store, p } = await setup();
      const keys = Array.from({ length: records }, (_, i) => `${p}:r${String(i).padStart(5, '0')}`);
      for (const key of keys) await store.set(key, `value-${key}`);
      await store.set(`${p}x:other`, 'other namespace');
      const seen = await collect((store.entries as NonNullable<VaultStore['entries']>).call(store, `${p}:`));
      expect(seen.length).toBe(records);
      expect(new Set(seen.map(([k]) => k)).size).toBe(records);
      for (const [key, value] of seen) expect(value).toBe(`value-${key}`);
    });

    it.skipIf(lacks.iterate)('yields each existing record once while records are written during the scan', async () => {
      const { store, p } = await setup();
      const keys = Array.from({ length: records }, (_, i) => `${p}:r${String(i).padStart(5, '0')}`);
      for (const key of keys) await store.set(key, 'old');
      const counts = new Map<string, number>();
      let written = 0;
      for await (const [key, value] of (store.entries as NonNullable<VaultStore['entries']>).call(store, `${p}:`)) {
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

    it.skipIf(lacks.compareAndSet)('compare-and-set: inserts, replaces and deletes only on a match', async () => {
      const { store, p } = await setup();
      const cas = (store.compareAndSet as NonNullable<VaultStore['compareAndSet']>).bind(store);
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

    it.skipIf(lacks.compareAndSet)('compare-and-set: exactly one of 20 racing writers wins', async () => {
      const { store, p } = await setup();
      const cas = (store.compareAndSet as NonNullable<VaultStore['compareAndSet']>).bind(store);
      await store.set(`${p}:race`, 'start');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cas(`${p}:race`, 'start', `w${i}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get(`${p}:race`)).toBe(`w${results.indexOf(true)}`);
    });

    it.skipIf(lacks.compareAndSet)('compare-and-set many: each entry on its own, in one call', async () => {
      const { store, p } = await setup();
      const many = (store.compareAndSetMany as NonNullable<VaultStore['compareAndSetMany']>).bind(store);
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

    it.skipIf(lacks.count)('counts the keys under a prefix', async () => {
      const { store, p } = await setup();
      for (let i = 0; i < 120; i++) await store.set(`${p}:c${i}`, 'v');
      await store.set(`${p}x:other`, 'v');
      expect(await (store.count as NonNullable<VaultStore['count']>).call(store, `${p}:`)).toBe(120);
      expect(await (store.count as NonNullable<VaultStore['count']>).call(store, `${p}:nothing:`)).toBe(0);
    });

    it.skipIf(lacks.batch)('batches: setMany then getMany, in order, misses as undefined', async () => {
      const { store, p } = await setup();
      const entries = Array.from({ length: 1200 }, (_, i) => [`${p}:b${i}`, `v${i}`] as const);
      await (store.setMany as NonNullable<VaultStore['setMany']>).call(store, entries);
      const keys = [`${p}:missing`, ...entries.map(([k]) => k), `${p}:b0`];
      const values = await (store.getMany as NonNullable<VaultStore['getMany']>).call(store, keys);
      expect(values).toEqual([undefined, ...entries.map(([, v]) => v), 'v0']);
      expect(await (store.getMany as NonNullable<VaultStore['getMany']>).call(store, [])).toEqual([]);
    });

    it('carries a vault: round trip, no secret in the raw value, tampering refused', async () => {
      const { store, p } = await setup();
      const keyring = createKeyring([{ kid: 'suite', key: generateKey() }]);
      const vault = createVault({ store, keyring, schema: connectionSchema, namespace: p });
      await vault.set('c1', suiteConnection('c1'));
      await vault.set('c2', suiteConnection('c2', { idProject: 'project-2' }));
      expect((await vault.get('c1'))?.accessToken).toBe(SUITE_SECRETS[0]);
      const raw = (await store.get(`${p}:c1`)) as string;
      for (const secret of SUITE_SECRETS) expect(raw).not.toContain(secret);
      if (store.entries !== undefined) {
        const inProject2 = [];
        for await (const [id] of vault.entries({ where: { idProject: 'project-2' } })) inProject2.push(id);
        expect(inProject2).toEqual(['c2']);
      }
      await store.set(`${p}:c1`, raw.replace('"idProject":"project-1"', '"idProject":"project-2"'));
      const error = await vault.get('c1').catch((e: unknown) => e);
      expect(isVaultError(error, 'DECRYPT_FAILED')).toBe(true);
      await store.set(`${p}:c2`, raw);
      expect(isVaultError(await vault.get('c2').catch((e: unknown) => e), 'DECRYPT_FAILED')).toBe(true);
    });
  });
}
