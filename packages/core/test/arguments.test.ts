import {
  combineKeys,
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  Keyring,
  keyringFromEnv,
  keyvStore,
  masterKeyContext,
  memoryStore,
  openKeyList,
  parseKeyList,
  parseKeySpecs,
  type RemoteKey,
  remoteKeys,
  unwrapKeyring,
  VaultError,
  type VaultErrorCode,
  wrapKeyEntry,
} from '@credvault/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

/**
 * Every public entry point refuses a bad argument with a `VaultError` naming it (issue 31, "Bad
 * input" item 6): never a bare TypeError or RangeError, and nothing stored.
 */

// biome-ignore lint/suspicious/noExplicitAny: the point is to pass what the types forbid
type Any = any;

const store = memoryStore();
const base = () => ({ keyring: testKeyring(), schema: connectionSchema, store });
const vault = (extra: object = {}): Any => createVault({ ...base(), ...extra } as Any);
const tenantVault = (): Any => createVault({ ...base(), tenant: 'idProject' });
const indexed = (): Any => createVault({ ...base(), index: ['accessToken'] });
const updater = () => undefined;
const refresher = () => connection();
/** A RemoteKey in this process, for the wrapped-key entry points. */
const localRemote = (): RemoteKey => {
  const keys = createKeyring([{ kid: 'r', key: generateKey() }]);
  return {
    name: 'local:r',
    encrypt: async (plaintext, context) => keys.wrap('r', plaintext, context),
    decrypt: async (ciphertext, context) => keys.unwrap('r', ciphertext, context),
  };
};
const remoteSpecs = () => parseKeySpecs('k9:remote:test:key/one');

type Row = [label: string, call: () => unknown, code: VaultErrorCode, path: string];
const INVALID = 'INVALID_ARGUMENT';
const KEYRING = 'INVALID_KEYRING';

const rows: Row[] = [
  // createVault and its options
  ['createVault()', () => (createVault as Any)(), INVALID, 'options'],
  ['createVault(null)', () => createVault(null as Any), INVALID, 'options'],
  ['createVault(42)', () => createVault(42 as Any), INVALID, 'options'],
  ['createVault([])', () => createVault([] as Any), INVALID, 'options'],
  ['store: null', () => vault({ store: null }), INVALID, 'store'],
  ['store: 42', () => vault({ store: 42 }), INVALID, 'store'],
  ['store without get', () => vault({ store: { set() {}, delete() {}, has() {} } }), INVALID, 'store'],
  ['store with a non-function entries', () => vault({ store: { ...memoryStore(), entries: 1 } }), INVALID, 'store'],
  ['keyring: null', () => vault({ keyring: null }), INVALID, 'keyring'],
  ['keyring without unwrap', () => vault({ keyring: { primaryKid: 'k', kids: ['k'], wrap() {} } }), INVALID, 'keyring'],
  ['schema: null', () => vault({ schema: null }), INVALID, 'schema'],
  ['namespace: 42', () => vault({ namespace: 42 }), INVALID, 'namespace'],
  ['index: 42', () => vault({ index: 42 }), INVALID, 'index'],
  ['index: null', () => vault({ index: null }), INVALID, 'index'],
  ['index: {}', () => vault({ index: {} }), INVALID, 'index'],
  ['index: [42]', () => vault({ index: [42] }), INVALID, 'index'],
  ['tenant: 42', () => vault({ tenant: 42 }), INVALID, 'tenant'],
  ['tenantCustody: 42', () => vault({ tenant: 'idProject', tenantCustody: 42 }), INVALID, 'tenantCustody'],
  ['tenantCustody: {}', () => vault({ tenant: 'idProject', tenantCustody: {} }), INVALID, 'tenantCustody'],
  ['tenantCustody without tenant', () => vault({ tenantCustody: () => 'master' }), INVALID, 'tenantCustody'],
  ['tenantCacheTtlMs: null', () => vault({ tenant: 'idProject', tenantCacheTtlMs: null }), INVALID, 'tenantCacheTtlMs'],
  ['unwrapCache: 42', () => vault({ unwrapCache: 42 }), INVALID, 'unwrapCache'],
  ['unwrapCache: null', () => vault({ unwrapCache: null }), INVALID, 'unwrapCache'],
  ['unwrapCache: true', () => vault({ unwrapCache: true }), INVALID, 'unwrapCache'],
  ['unwrapCache.now: 42', () => vault({ unwrapCache: { now: 42 } }), INVALID, 'unwrapCache.now'],
  ['unwrapCache.onEvent: "x"', () => vault({ unwrapCache: { onEvent: 'x' } }), INVALID, 'unwrapCache.onEvent'],
  ['unwrapCache.maxEntries: 0', () => vault({ unwrapCache: { maxEntries: 0 } }), INVALID, 'unwrapCache.maxEntries'],
  ['unwrapCache.ttlMs: "1"', () => vault({ unwrapCache: { ttlMs: '1' } }), INVALID, 'unwrapCache.ttlMs'],
  ['recordCache: null', () => vault({ recordCache: null }), INVALID, 'recordCache'],
  ['recordCache: "x"', () => vault({ recordCache: 'x' }), INVALID, 'recordCache'],
  ['recordCache.now: 42', () => vault({ recordCache: { now: 42 } }), INVALID, 'recordCache.now'],
  // the vault's methods
  ['set(42, record)', () => vault().set(42, connection()), INVALID, 'id'],
  ['setMany(42)', () => vault().setMany(42), INVALID, 'entries'],
  ['setMany(null)', () => vault().setMany(null), INVALID, 'entries'],
  ['setMany({})', () => vault().setMany({}), INVALID, 'entries'],
  ['setMany([null])', () => vault().setMany([null]), INVALID, 'entries.0'],
  ['setMany(["ab"])', () => vault().setMany(['ab']), INVALID, 'entries.0'],
  ['setMany([[id, r], [id]])', () => vault().setMany([['a', connection()], ['b']]), INVALID, 'entries.1'],
  ['get(null)', () => vault().get(null), INVALID, 'id'],
  ['has({})', () => vault().has({}), INVALID, 'id'],
  ['delete([])', () => vault().delete([]), INVALID, 'id'],
  ['update(id, "x")', () => vault().update('a', 'x'), INVALID, 'updater'],
  ['update(id, undefined)', () => vault().update('a'), INVALID, 'updater'],
  ['update(id, f, null)', () => vault().update('a', updater, null), INVALID, 'options'],
  ['update(id, f, 42)', () => vault().update('a', updater, 42), INVALID, 'options'],
  ['update maxAttempts: 0', () => vault().update('a', updater, { maxAttempts: 0 }), INVALID, 'maxAttempts'],
  ['update maxAttempts: "3"', () => vault().update('a', updater, { maxAttempts: '3' }), INVALID, 'maxAttempts'],
  ['update maxAttempts: symbol', () => vault().update('a', updater, { maxAttempts: Symbol() }), INVALID, 'maxAttempts'],
  ['refresh(id, 42)', () => vault().refresh('a', 42), INVALID, 'refresher'],
  ['refresh(id, f, null)', () => vault().refresh('a', refresher, null), INVALID, 'options'],
  ['refresh skewMs: "5"', () => vault().refresh('a', refresher, { skewMs: '5' }), INVALID, 'skewMs'],
  ['refresh force: "yes"', () => vault().refresh('a', refresher, { force: 'yes' }), INVALID, 'force'],
  ['refresh leaseTtlMs: -1', () => vault().refresh('a', refresher, { leaseTtlMs: -1 }), INVALID, 'leaseTtlMs'],
  ['refresh waitMs: NaN', () => vault().refresh('a', refresher, { waitMs: Number.NaN }), INVALID, 'waitMs'],
  ['findBy(symbol, v)', () => indexed().findBy(Symbol('f'), 'x'), INVALID, 'field'],
  ['findBy(field, 42)', () => indexed().findBy('accessToken', 42), INVALID, 'value'],
  ['entries(null)', () => vault().entries(null).next(), INVALID, 'options'],
  ['entries(42)', () => vault().entries(42).next(), INVALID, 'options'],
  ['entries({ where: 42 })', () => vault().entries({ where: 42 }).next(), INVALID, 'where'],
  ['rotate(null)', () => vault().rotate(null), INVALID, 'options'],
  ['rotate("x")', () => vault().rotate('x'), INVALID, 'options'],
  ['rotate onProgress: 42', () => vault().rotate({ onProgress: 42 }), INVALID, 'onProgress'],
  ['rotate signal: 42', () => vault().rotate({ signal: 42 }), INVALID, 'signal'],
  ['rotate signal: {}', () => vault().rotate({ signal: {} }), INVALID, 'signal'],
  ['rotate dryRun: "yes"', () => vault().rotate({ dryRun: 'yes' }), INVALID, 'dryRun'],
  ['rotate reencrypt: 1', () => vault().rotate({ reencrypt: 1 }), INVALID, 'reencrypt'],
  ['rotate executor: null', () => vault().rotate({ executor: null }), INVALID, 'executor'],
  ['rotate batchSize: "2"', () => vault().rotate({ batchSize: '2' }), INVALID, 'batchSize'],
  ['rotateTenant(42)', () => tenantVault().rotateTenant(42), INVALID, 'tenant'],
  ['rotateTenant("")', () => tenantVault().rotateTenant(''), INVALID, 'tenant'],
  ['rotateTenant(t, null)', () => tenantVault().rotateTenant('t', null), INVALID, 'options'],
  [
    'rotateTenant instancesCacheTtlMs: "1"',
    () => tenantVault().rotateTenant('t', { instancesCacheTtlMs: '1' }),
    INVALID,
    'instancesCacheTtlMs',
  ],
  ['shred(42)', () => tenantVault().shred(42), INVALID, 'tenant'],
  ['shred(null)', () => tenantVault().shred(null), INVALID, 'tenant'],
  ['verify(null)', () => vault().verify(null), INVALID, 'options'],
  ['verify onProgress: 42', () => vault().verify({ onProgress: 42 }), INVALID, 'onProgress'],
  ['on("nope", f)', () => vault().on('nope', () => {}), INVALID, 'type'],
  ['on(42, f)', () => vault().on(42, () => {}), INVALID, 'type'],
  ['on("set", 42)', () => vault().on('set', 42), INVALID, 'listener'],
  // keys
  ['createKeyring()', () => (createKeyring as Any)(), INVALID, 'entries'],
  ['createKeyring(null)', () => createKeyring(null as Any), INVALID, 'entries'],
  ['createKeyring("x")', () => createKeyring('x' as Any), INVALID, 'entries'],
  ['createKeyring([null])', () => createKeyring([null] as Any), KEYRING, 'entries.0'],
  ['new Keyring({})', () => new Keyring({} as Any), INVALID, 'entries'],
  ['parseKeyList(42)', () => parseKeyList(42 as Any), INVALID, 'text'],
  ['parseKeyList(null)', () => parseKeyList(null as Any), INVALID, 'text'],
  ['parseKeyList([])', () => parseKeyList([] as Any), INVALID, 'text'],
  ['parseKeySpecs(undefined)', () => (parseKeySpecs as Any)(), INVALID, 'text'],
  ['keyringFromEnv(symbol)', () => keyringFromEnv(Symbol() as Any), INVALID, 'variable'],
  ['keyringFromEnv(v, null)', () => keyringFromEnv('X', null as Any), INVALID, 'env'],
  ['combineKeys(null)', () => combineKeys(null as Any), INVALID, 'keyrings'],
  ['combineKeys([null])', () => combineKeys([null] as Any), INVALID, 'keyrings.0'],
  ['combineKeys([{}])', () => combineKeys([{}] as Any), INVALID, 'keyrings.0'],
  ['combineKeys([k], null)', () => combineKeys([testKeyring()], null as Any), INVALID, 'options'],
  [
    'combineKeys primaryKid: symbol',
    () => combineKeys([testKeyring()], { primaryKid: Symbol() as Any }),
    INVALID,
    'primaryKid',
  ],
  ['remoteKeys(null)', () => remoteKeys(null as Any), INVALID, 'entries'],
  ['remoteKeys([null])', () => remoteKeys([null] as Any), KEYRING, 'entries.0'],
  ['unwrapKeyring(null)', () => unwrapKeyring(null as Any), INVALID, 'entries'],
  ['unwrapKeyring([42])', () => unwrapKeyring([42] as Any), KEYRING, 'entries.0'],
  [
    'unwrapKeyring(entries, null)',
    () => unwrapKeyring([{ kid: 'a', wrapped: new Uint8Array(8) }], null as Any),
    INVALID,
    'remote',
  ],
  ['wrapKeyEntry(kid, key, null)', () => wrapKeyEntry('a', generateKey(), null as Any), INVALID, 'remote'],
  ['wrapKeyEntry(kid, key, {})', () => wrapKeyEntry('a', generateKey(), {} as Any), INVALID, 'remote'],
  [
    'openKeyList(null, options)',
    () => openKeyList(null as Any, { resolve: async () => localRemote() }),
    INVALID,
    'specs',
  ],
  [
    'openKeyList([null], options)',
    () => openKeyList([null] as Any, { resolve: async () => localRemote() }),
    KEYRING,
    'specs.0',
  ],
  ['openKeyList(specs)', () => (openKeyList as Any)(remoteSpecs()), INVALID, 'options'],
  ['openKeyList(specs, { resolve: 42 })', () => openKeyList(remoteSpecs(), { resolve: 42 as Any }), INVALID, 'resolve'],
  [
    'openKeyList cache: 42',
    () => openKeyList(remoteSpecs(), { resolve: async () => localRemote(), cache: 42 as Any }),
    INVALID,
    'cache',
  ],
  ['masterKeyContext(42)', () => masterKeyContext(42 as Any), INVALID, 'kid'],
  ['masterKeyContext(null)', () => masterKeyContext(null as Any), INVALID, 'kid'],
  ['keyvStore(null)', () => keyvStore(null as Any), INVALID, 'keyv'],
  ['keyvStore(42)', () => keyvStore(42 as Any), INVALID, 'keyv'],
];

describe('a bad argument to a public entry point', () => {
  it.each(rows)('%s: VaultError %s naming %s', async (_label, call, code, path) => {
    const before = store.map.size;
    const error = await Promise.resolve()
      .then(call)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code, path });
    expect((error as Error).message).toContain(path);
    expect(store.map.size).toBe(before);
  });

  it('leaves the memory store empty after every row', () => {
    expect([...store.map.keys()]).toEqual([]);
  });
});

/** Anything a caller could pass: fast-check's values, functions, symbols, and a few odd objects. */
const arbitrary = fc.oneof(
  fc.anything(),
  fc.func(fc.anything()),
  fc.constant(Symbol('s')),
  fc.constant(new Map()),
  fc.constant(new Date(0)),
  fc.constant(Promise.resolve()),
  fc.constant(new Uint8Array(32)),
);

/** One argument of one entry point, filled with `value`; the others are valid. */
type Target = [label: string, call: (value: unknown, store: Any) => unknown];
const on = (store: Any, extra: object = {}): Any =>
  createVault({ keyring: testKeyring(), schema: connectionSchema, store, ...extra } as Any);
const member = (name: string) => (value: unknown, store: Any) => {
  const v = on(store, { [name]: value, ...(name.startsWith('tenant') ? { tenant: 'idProject' } : {}) });
  return v.set('c1', connection());
};
const targets: Target[] = [
  ['createVault(x)', (x) => createVault(x as Any)],
  ...['store', 'keyring', 'schema', 'namespace', 'index', 'tenant', 'tenantCustody', 'tenantCacheTtlMs'].map(
    (name): Target => [`createVault({ ${name}: x })`, member(name)],
  ),
  ...['unwrapCache', 'recordCache'].map((name): Target => [`createVault({ ${name}: x })`, member(name)]),
  ['createVault({ unwrapCache: { now: x } })', (x, s) => member('unwrapCache')({ now: x }, s)],
  ['createVault({ unwrapCache: { onEvent: x } })', (x, s) => member('unwrapCache')({ onEvent: x }, s)],
  ['set(x, record)', (x, s) => on(s).set(x, connection())],
  ['set(id, x)', (x, s) => on(s).set('c1', x)],
  ['setMany(x)', (x, s) => on(s).setMany(x)],
  ['setMany([x])', (x, s) => on(s).setMany([x])],
  ['get(x)', (x, s) => on(s).get(x)],
  ['getEntry(x)', (x, s) => on(s).getEntry(x)],
  ['has(x)', (x, s) => on(s).has(x)],
  ['delete(x)', (x, s) => on(s).delete(x)],
  ['update(x, f)', (x, s) => on(s).update(x, () => undefined)],
  ['update(id, x)', (x, s) => on(s).update('c1', x)],
  ['update(id, f, x)', (x, s) => on(s).update('c1', () => undefined, x)],
  ['update(id, f, { maxAttempts: x })', (x, s) => on(s).update('c1', () => undefined, { maxAttempts: x })],
  ['refresh(id, x)', (x, s) => on(s).refresh('c1', x)],
  ['refresh(id, f, x)', (x, s) => on(s).refresh('c1', refresher, x)],
  ['findBy(x, v)', (x, s) => on(s, { index: ['accessToken'] }).findBy(x, 'v')],
  ['findBy(field, x)', (x, s) => on(s, { index: ['accessToken'] }).findBy('accessToken', x)],
  ['entries(x)', (x, s) => on(s).entries(x).next()],
  ['rotate(x)', (x, s) => on(s).rotate(x)],
  ['rotate({ onProgress: x })', (x, s) => on(s).rotate({ onProgress: x })],
  ['rotate({ signal: x })', (x, s) => on(s).rotate({ signal: x })],
  ['rotateTenant(x)', (x, s) => on(s, { tenant: 'idProject' }).rotateTenant(x)],
  ['rotateTenant(t, x)', (x, s) => on(s, { tenant: 'idProject' }).rotateTenant('t', x)],
  ['shred(x)', (x, s) => on(s, { tenant: 'idProject' }).shred(x)],
  ['verify(x)', (x, s) => on(s).verify(x)],
  ['on(x, f)', (x, s) => on(s).on(x, () => {})],
  ['on(type, x)', (x, s) => on(s).on('set', x)],
  ['createKeyring(x)', (x) => createKeyring(x as Any)],
  ['createKeyring([x])', (x) => createKeyring([x] as Any)],
  ['parseKeyList(x)', (x) => parseKeyList(x as Any)],
  ['parseKeySpecs(x)', (x) => parseKeySpecs(x as Any)],
  ['keyringFromEnv(x)', (x) => keyringFromEnv(x as Any, {})],
  ['keyringFromEnv(v, x)', (x) => keyringFromEnv('X', x as Any)],
  ['combineKeys(x)', (x) => combineKeys(x as Any)],
  ['combineKeys([x])', (x) => combineKeys([x] as Any)],
  ['combineKeys([k], x)', (x) => combineKeys([testKeyring()], x as Any)],
  ['remoteKeys(x)', (x) => remoteKeys(x as Any)],
  ['unwrapKeyring(x)', (x) => unwrapKeyring(x as Any)],
  ['unwrapKeyring([x])', (x) => unwrapKeyring([x] as Any, localRemote())],
  ['unwrapKeyring(entries, x)', (x) => unwrapKeyring([{ kid: 'a', wrapped: new Uint8Array(72) }], x as Any)],
  ['wrapKeyEntry(x, key, remote)', (x) => wrapKeyEntry(x as Any, generateKey(), localRemote())],
  ['wrapKeyEntry(kid, key, x)', (x) => wrapKeyEntry('a', generateKey(), x as Any)],
  ['openKeyList(x, options)', (x) => openKeyList(x as Any, { resolve: async () => localRemote() })],
  ['openKeyList(specs, x)', (x) => openKeyList(remoteSpecs(), x as Any)],
  ['masterKeyContext(x)', (x) => masterKeyContext(x as Any)],
  ['keyvStore(x)', (x) => keyvStore(x as Any)],
];

describe('anything passed as any argument', () => {
  it.each(targets)('%s: succeeds or throws a VaultError, and a refusal stores nothing', async (_label, call) => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        const target = memoryStore();
        const error = await Promise.resolve()
          .then(() => call(value, target))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        if (error === undefined) return;
        expect(error).toBeInstanceOf(VaultError);
        expect([...target.map.keys()]).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
