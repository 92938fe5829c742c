import * as core from '@credvault/core';
import {
  cachedKeys,
  canonicalJson,
  checkDistinctKeys,
  createVault,
  dateField,
  defineCredentialSchema,
  envelopeKid,
  expiresAt,
  formatEnvelope,
  formatKeyEntry,
  generateKey,
  isTenantKeyGone,
  isTenantKid,
  jsonObjectField,
  keysetEntries,
  keyUnavailable,
  leaseFor,
  memoryStore,
  needsRefresh,
  parseEnvelope,
  prefixEnd,
  type RemoteKey,
  redact,
  remoteKeys,
  rewrapBatch,
  sealBatch,
  toDate,
  unwrapKeyring,
  VaultError,
  type VaultErrorCode,
  withDeadline,
  wrapKeyEntry,
} from '@credvault/core';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

/**
 * The rest of issue 31, "Bad input" item 6: every runtime export of `@credvault/core` (not only
 * `createVault` and the keys, which arguments.test.ts covers row by row) either succeeds or
 * throws/rejects a `VaultError` for any argument, never a TypeError or RangeError.
 */

// biome-ignore lint/suspicious/noExplicitAny: the point is to pass what the types forbid
type Any = any;

const keys = () => testKeyring();
const localRemote = (): RemoteKey => {
  const inner = core.createKeyring([{ kid: 'r', key: generateKey() }]);
  return {
    name: 'local:r',
    encrypt: async (plaintext, context) => inner.wrap('r', plaintext, context),
    decrypt: async (ciphertext, context) => inner.unwrap('r', ciphertext, context),
  };
};
const parts = (extra: object = {}): Any => ({
  kid: 'k1',
  wrappedKey: new Uint8Array(8),
  sealed: new Uint8Array(8),
  readable: '{}',
  ...extra,
});
const fetchPage = async () => [];
const schema = v.object({ token: v.string() });
const start = async () => 1;
const fail = (error: unknown) => error;

/** [label, call, code, path (undefined: not checked)] */
type Row = [label: string, call: () => unknown, code: VaultErrorCode, path: string | undefined];
const INVALID = 'INVALID_ARGUMENT';

const rows: Row[] = [
  // keys
  ['cachedKeys(k, null)', () => cachedKeys(keys(), null as Any), INVALID, 'options'],
  ['cachedKeys(k, 42)', () => cachedKeys(keys(), 42 as Any), INVALID, 'options'],
  ['cachedKeys(null)', () => cachedKeys(null as Any), INVALID, 'keys'],
  ['cachedKeys({})', () => cachedKeys({} as Any), INVALID, 'keys'],
  ['cachedKeys now: 42', () => cachedKeys(keys(), { now: 42 as Any }), INVALID, 'options.now'],
  ['cachedKeys onEvent: "x"', () => cachedKeys(keys(), { onEvent: 'x' as Any }), INVALID, 'options.onEvent'],
  ['remoteKeys remote: 42', () => remoteKeys([{ kid: 'a', remote: 42 as Any }]), INVALID, 'entries.0.remote'],
  ['remoteKeys remote: {}', () => remoteKeys([{ kid: 'a', remote: {} as Any }]), INVALID, 'entries.0.remote'],
  [
    'remoteKeys remote without a name',
    () => remoteKeys([{ kid: 'a', remote: { ...localRemote(), name: Symbol() as Any } }]),
    INVALID,
    'entries.0.remote',
  ],
  [
    'remoteKeys(entries, null)',
    () => remoteKeys([{ kid: 'a', remote: localRemote() }], null as Any),
    INVALID,
    'options',
  ],
  ['wrapKeyEntry(k, key, r, 42)', () => wrapKeyEntry('a', generateKey(), localRemote(), 42 as Any), INVALID, 'options'],
  ['unwrapKeyring(e, r, "x")', () => unwrapKeyring([], localRemote(), 'x' as Any), INVALID, 'options'],
  [
    'openKeyList timeoutMs: 0',
    () =>
      core.openKeyList(core.parseKeySpecs('k9:remote:test:key'), { resolve: async () => localRemote(), timeoutMs: 0 }),
    INVALID,
    'timeoutMs',
  ],
  ['keyUnavailable(symbol, r)', () => keyUnavailable(Symbol() as Any, 'r'), INVALID, 'name'],
  ['keyUnavailable(n, 10n)', () => keyUnavailable('n', 10n as Any), INVALID, 'reason'],
  ['formatKeyEntry(42, key)', () => formatKeyEntry(42 as Any, generateKey()), 'INVALID_KEYRING', undefined],
  ['new VaultError(symbol, m)', () => new VaultError(Symbol() as Any, 'm'), INVALID, 'code'],
  ['new VaultError("NOPE", m)', () => new VaultError('NOPE' as Any, 'm'), INVALID, 'code'],
  ['new VaultError(c, symbol)', () => new VaultError('STORE_FAILED', Symbol() as Any), INVALID, 'message'],
  ['new VaultError(c, m, null)', () => new VaultError('STORE_FAILED', 'm', null as Any), INVALID, 'options'],
  [
    'new VaultError id: symbol',
    () => new VaultError('STORE_FAILED', 'm', { id: Symbol() as Any }),
    INVALID,
    'options.id',
  ],
  [
    'new VaultError issues: "x"',
    () => new VaultError('STORE_FAILED', 'm', { issues: 'x' as Any }),
    INVALID,
    'options.issues',
  ],
  // store
  ['withDeadline("5", f, f)', () => withDeadline('5' as Any, start, fail), INVALID, 'timeout'],
  ['withDeadline(-1, f, f)', () => withDeadline(-1, start, fail), INVALID, 'timeout'],
  ['withDeadline(NaN, f, f)', () => withDeadline(Number.NaN, start, fail), INVALID, 'timeout'],
  ['withDeadline(5, 42, f)', () => withDeadline(5, 42 as Any, fail), INVALID, 'start'],
  ['withDeadline(5, f, null)', () => withDeadline(5, start, null as Any), INVALID, 'fail'],
  ['leaseFor(null)', () => leaseFor(null as Any), INVALID, 'store'],
  ['leaseFor({ lease: 42 })', () => leaseFor({ ...memoryStore(), lease: 42 } as Any), INVALID, 'store'],
  ['checkDistinctKeys(42)', () => checkDistinctKeys(42 as Any), INVALID, 'entries'],
  ['checkDistinctKeys([null])', () => checkDistinctKeys([null] as Any), INVALID, 'entries.0'],
  ['checkDistinctKeys([[42]])', () => checkDistinctKeys([[42]] as Any), INVALID, 'entries.0'],
  ['checkDistinctKeys([], 42)', () => checkDistinctKeys([], 42 as Any), INVALID, 'operation'],
  ['prefixEnd(42)', () => prefixEnd(42 as Any), INVALID, 'prefix'],
  ['prefixEnd(null)', () => prefixEnd(null as Any), INVALID, 'prefix'],
  ['keysetEntries(42, n, f)', () => keysetEntries(42 as Any, 10, fetchPage).next(), INVALID, 'start'],
  ['keysetEntries(s, 0, f)', () => keysetEntries('a', 0, fetchPage).next(), INVALID, 'pageSize'],
  ['keysetEntries(s, n, null)', () => keysetEntries('a', 10, null as Any).next(), INVALID, 'fetchPage'],
  ['keysetEntries page not rows', () => keysetEntries('a', 10, (async () => 42) as Any).next(), INVALID, 'fetchPage'],
  [
    'keysetEntries row not { key, value }',
    () => keysetEntries('a', 10, (async () => [null]) as Any).next(),
    INVALID,
    'fetchPage',
  ],
  // format
  ['canonicalJson(10n)', () => canonicalJson(10n), INVALID, 'value'],
  ['canonicalJson(symbol)', () => canonicalJson(Symbol()), INVALID, 'value'],
  ['canonicalJson(function)', () => canonicalJson(() => 1), INVALID, 'value'],
  ['canonicalJson({ a: [10n] })', () => canonicalJson({ a: [10n] }), INVALID, 'value.a.0'],
  ['canonicalJson(invalid Date)', () => canonicalJson(new Date(Number.NaN)), INVALID, 'value'],
  [
    'canonicalJson(cycle)',
    () => {
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      return canonicalJson(cycle);
    },
    INVALID,
    undefined, // value.self.self...: where the depth limit was reached
  ],
  ['formatEnvelope(42)', () => formatEnvelope(42 as Any), INVALID, 'parts'],
  ['formatEnvelope(null)', () => formatEnvelope(null as Any), INVALID, 'parts'],
  ['formatEnvelope kid: "a.b"', () => formatEnvelope(parts({ kid: 'a.b' })), INVALID, 'parts.kid'],
  ['formatEnvelope kid: 42', () => formatEnvelope(parts({ kid: 42 })), INVALID, 'parts.kid'],
  ['formatEnvelope wrappedKey: "x"', () => formatEnvelope(parts({ wrappedKey: 'x' })), INVALID, 'parts.wrappedKey'],
  [
    'formatEnvelope wrappedKey: empty',
    () => formatEnvelope(parts({ wrappedKey: new Uint8Array(0) })),
    INVALID,
    'parts.wrappedKey',
  ],
  ['formatEnvelope sealed: []', () => formatEnvelope(parts({ sealed: [] })), INVALID, 'parts.sealed'],
  ['formatEnvelope readable: 42', () => formatEnvelope(parts({ readable: 42 })), INVALID, 'parts.readable'],
  ['parseEnvelope(42)', () => parseEnvelope(42), 'DECRYPT_FAILED', undefined],
  // records
  ['needsRefresh(null)', () => needsRefresh(null as Any), INVALID, 'record'],
  ['needsRefresh(r, 42)', () => needsRefresh({}, 42 as Any), INVALID, 'options'],
  ['needsRefresh skewMs: "5"', () => needsRefresh({}, { skewMs: '5' as Any }), INVALID, 'skewMs'],
  ['needsRefresh now: null', () => needsRefresh({}, { now: null as Any }), INVALID, 'now'],
  ['expiresAt(null)', () => expiresAt(null as Any), INVALID, 'record'],
  ['expiresAt storedAt: 42', () => expiresAt({ expiresIn: 5 }, { storedAt: 42 as Any }), INVALID, 'storedAt'],
  ['redact(null)', () => redact(null as Any), INVALID, 'record'],
  ['redact(r, 42)', () => redact({}, 42 as Any), INVALID, 'schema'],
  ['maskSecrets(s, null)', () => core.maskSecrets(core.connectionSchema, null as Any), INVALID, 'record'],
  ['exposeSecrets(42, r)', () => core.exposeSecrets(42 as Any, {} as Any), INVALID, 'schema'],
  ['expose() of a non-secret', () => core.Secret.prototype.expose.call({} as Any), INVALID, 'this'],
  [
    'createVault secrets: "on"',
    () => createVault({ keyring: keys(), schema: core.connectionSchema, secrets: 'on' } as Any),
    INVALID,
    'secrets',
  ],
  ['defineCredentialSchema(null, o)', () => defineCredentialSchema(null as Any, { secret: [] }), INVALID, 'schema'],
  [
    'defineCredentialSchema({ type: "object" }, o)',
    () => defineCredentialSchema({ type: 'object' } as Any, { secret: [] }),
    INVALID,
    'schema',
  ],
  ['defineCredentialSchema(s, null)', () => defineCredentialSchema(schema, null as Any), INVALID, 'options'],
  ['defineCredentialSchema(s, {})', () => defineCredentialSchema(schema, {} as Any), INVALID, 'secret'],
  [
    'defineCredentialSchema secret: [42]',
    () => defineCredentialSchema(schema, { secret: [42 as Any] }),
    INVALID,
    'secret.0',
  ],
  // rotation
  ['rewrapBatch(null, ns, r)', () => rewrapBatch(null as Any, 'c', []), INVALID, 'keys'],
  ['rewrapBatch(k, 42, r)', () => rewrapBatch(keys(), 42 as Any, []), INVALID, 'namespace'],
  ['rewrapBatch(k, ns, 42)', () => rewrapBatch(keys(), 'c', 42 as Any), INVALID, 'records'],
  ['rewrapBatch(k, ns, [null])', () => rewrapBatch(keys(), 'c', [null] as Any), INVALID, 'records.0'],
  ['rewrapBatch(k, ns, [[42, s]])', () => rewrapBatch(keys(), 'c', [[42, 'x']] as Any), INVALID, 'records.0'],
  ['sealBatch(null, ns, r)', () => sealBatch(null as Any, 'c', []), INVALID, 'keys'],
  ['sealBatch(k, 42, r)', () => sealBatch(keys(), 42 as Any, []), INVALID, 'namespace'],
  ['sealBatch(k, ns, 42)', () => sealBatch(keys(), 'c', 42 as Any), INVALID, 'records'],
  ['sealBatch(k, ns, [[s, s]])', () => sealBatch(keys(), 'c', [['a', '{}']] as Any), INVALID, 'records.0'],
  ['sealBatch(k, ns, [[s, s, 42]])', () => sealBatch(keys(), 'c', [['a', '{}', 42]] as Any), INVALID, 'records.0'],
  ['legacyMigrator(null)', () => core.legacyMigrator(null as Any), INVALID, 'options'],
  ['legacyMigrator({ keys: null })', () => migratorWith({ keys: null }), INVALID, 'keys'],
  ['legacyMigrator({ schema: {} })', () => migratorWith({ schema: {} }), INVALID, 'schema'],
  ['legacyMigrator({ legacy: 42 })', () => migratorWith({ legacy: 42 }), INVALID, 'legacy'],
  ['legacyMigrator(...)(42, v)', () => migratorWith()(42 as Any, []), INVALID, 'namespace'],
  ['legacyMigrator(...)(ns, 42)', () => migratorWith()('c', 42 as Any), INVALID, 'values'],
  ['legacyMigrator(...)(ns, [[s]])', () => migratorWith()('c', [['a']] as Any), INVALID, 'values.0'],
];

/** A legacy migrator with `options` over working defaults. */
function migratorWith(options: Record<string, unknown> = {}) {
  return core.legacyMigrator({
    keys: keys(),
    schema: core.connectionSchema,
    legacy: core.plaintextJson(),
    ...options,
  } as Any);
}

describe('a bad argument to the rest of the exports', () => {
  it.each(rows)('%s', async (_label, call, code, path) => {
    const error = await Promise.resolve()
      .then(call)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code });
    if (path !== undefined) {
      expect(error).toMatchObject({ path });
      expect((error as Error).message).toContain(path);
    }
  });
});

describe('queries that answer for anything', () => {
  it.each([null, undefined, 42, 10n, Symbol(), [], {}, () => 1, 'cv1'])('envelopeKid(%s) is undefined', (value) => {
    expect(envelopeKid(value as Any)).toBeUndefined();
  });
  it.each([null, undefined, 42, 10n, Symbol(), ['~aaaaaaaaaaaaaaaaaaaaaa'], {}])(
    'isTenantKid(%s) is false',
    (value) => {
      expect(isTenantKid(value as Any)).toBe(false);
    },
  );
  it.each([null, undefined, 42, 10n, Symbol(), {}, new Error('x'), new VaultError('STORE_FAILED', 'x')])(
    'isTenantKeyGone(%s) is false',
    (value) => {
      expect(isTenantKeyGone(value)).toBe(false);
    },
  );
  it.each([null, undefined, 42, 10n, Symbol(), {}, [], () => 1, Number.NaN])('toDate(%s) is undefined', (value) => {
    expect(toDate(value as Any)).toBeUndefined();
  });
  it('dateField and jsonObjectField take no argument and ignore one', () => {
    expect((dateField as Any)(42).type).toBe(dateField().type);
    expect((jsonObjectField as Any)(null).type).toBe(jsonObjectField().type);
  });
  it('the refused cases above still work with good arguments', async () => {
    expect(canonicalJson({ b: [1, null], a: new Date(0) })).toBe('{"a":"1970-01-01T00:00:00.000Z","b":[1,null]}');
    expect(envelopeKid('cv1.k1.x.y.{}')).toBe('k1');
    expect(formatEnvelope(parts())).toBe('cv1.k1.AAAAAAAAAAA.AAAAAAAAAAA.{}');
    expect(prefixEnd('ab')).toBe('ac');
    expect(toDate('2024-10-01T12:00:00Z')?.getTime()).toBe(Date.UTC(2024, 9, 1, 12));
    expect(await rewrapBatch(keys(), 'c', [['a', 'nope']])).toEqual([{ code: 'DECRYPT_FAILED' }]);
    expect(String((await sealBatch(keys(), 'c', [['a', '{}', '{}']]))[0])).toMatch(/^cv1\.[^.]+\.[^.]+\.[^.]+$/);
    expect(leaseFor(memoryStore())).toBeTypeOf('function');
  });
});

/** Anything a caller could pass: fast-check's values, bigints, functions, symbols, and a few odd objects. */
const arbitrary = fc.oneof(
  fc.anything(),
  fc.bigInt(),
  fc.func(fc.anything()),
  fc.constant(Symbol('s')),
  fc.constant(new Map()),
  fc.constant(new Date(Number.NaN)),
  fc.constant(Promise.resolve()),
  fc.constant(new Uint8Array(32)),
);

/** Each runtime export, and one call per argument with that argument replaced by `x`. */
const calls: Record<string, ((x: unknown) => unknown)[]> = {
  cryptoBackend: [(x) => (core.cryptoBackend as Any)(x)],
  cryptoReady: [(x) => (core.cryptoReady as Any)(x)],
  isVaultError: [(x) => core.isVaultError(x), (x) => core.isVaultError(new Error(), x as Any)],
  VaultError: [
    (x) => new VaultError(x as Any, 'm'),
    (x) => new VaultError('STORE_FAILED', x as Any),
    (x) => new VaultError('STORE_FAILED', 'm', x as Any),
    (x) => new VaultError('STORE_FAILED', 'm', { id: x as Any }),
    (x) => new VaultError('STORE_FAILED', 'm', { path: x as Any }),
    (x) => new VaultError('STORE_FAILED', 'm', { issues: x as Any }),
  ],
  canonicalJson: [(x) => canonicalJson(x), (x) => canonicalJson({ a: [x] })],
  envelopeKid: [(x) => envelopeKid(x as Any)],
  formatEnvelope: [
    (x) => formatEnvelope(x as Any),
    ...['kid', 'wrappedKey', 'sealed', 'readable'].map((name) => (x: unknown) => formatEnvelope(parts({ [name]: x }))),
  ],
  parseEnvelope: [(x) => parseEnvelope(x)],
  cachedKeys: [
    (x) => cachedKeys(x as Any),
    (x) => cachedKeys(keys(), x as Any),
    ...['maxEntries', 'ttlMs', 'onEvent', 'now'].map((name) => (x: unknown) => cachedKeys(keys(), { [name]: x })),
  ],
  combineKeys: [(x) => core.combineKeys(x as Any), (x) => core.combineKeys([keys()], x as Any)],
  createKeyring: [(x) => core.createKeyring(x as Any), (x) => core.createKeyring([x] as Any)],
  formatKeyEntry: [(x) => formatKeyEntry(x as Any, generateKey()), (x) => formatKeyEntry('a', x as Any)],
  generateKey: [(x) => (generateKey as Any)(x)],
  Keyring: [(x) => new core.Keyring(x as Any), (x) => new core.Keyring([{ kid: 'a', key: x as Any }])],
  keyringFromEnv: [(x) => core.keyringFromEnv(x as Any, {}), (x) => core.keyringFromEnv('X', x as Any)],
  keyUnavailable: [
    (x) => keyUnavailable(x as Any, 'r'),
    (x) => keyUnavailable('n', x as Any),
    (x) => keyUnavailable('n', 'r', x),
  ],
  masterKeyContext: [(x) => core.masterKeyContext(x as Any)],
  openKeyList: [
    (x) => core.openKeyList(x as Any, { resolve: async () => localRemote() }),
    (x) => core.openKeyList(core.parseKeySpecs('k9:remote:test:key'), x as Any),
  ],
  parseKeyList: [(x) => core.parseKeyList(x as Any)],
  parseKeySpecs: [(x) => core.parseKeySpecs(x as Any)],
  remoteKeys: [
    (x) => remoteKeys(x as Any),
    (x) => remoteKeys([x] as Any),
    (x) => remoteKeys([{ kid: 'a', remote: x as Any }]),
    (x) => remoteKeys([{ kid: 'a', remote: localRemote() }], x as Any),
    (x) => remoteKeys([{ kid: 'a', remote: localRemote() }], { timeoutMs: x as Any }),
  ],
  unwrapKeyring: [
    (x) => unwrapKeyring(x as Any, localRemote()),
    (x) => unwrapKeyring([], x as Any),
    (x) => unwrapKeyring([core.createKeyring([{ kid: 'a', key: generateKey() }]) as Any], localRemote(), x as Any),
  ],
  wrapKeyEntry: [
    (x) => wrapKeyEntry(x as Any, generateKey(), localRemote()),
    (x) => wrapKeyEntry('a', x as Any, localRemote()),
    (x) => wrapKeyEntry('a', generateKey(), x as Any),
    (x) => wrapKeyEntry('a', generateKey(), localRemote(), x as Any),
  ],
  dateField: [(x) => (dateField as Any)(x)],
  defineCredentialSchema: [
    (x) => defineCredentialSchema(x as Any, { secret: [] }),
    (x) => defineCredentialSchema(schema, x as Any),
    (x) => defineCredentialSchema(schema, { secret: x as Any }),
    (x) => defineCredentialSchema(schema, { secret: [x as Any] }),
  ],
  expiresAt: [
    (x) => expiresAt(x as Any),
    (x) => expiresAt({ expiresIn: 5 }, x as Any),
    (x) => expiresAt({ expiresIn: 5 }, { storedAt: x as Any }),
  ],
  jsonObjectField: [(x) => (jsonObjectField as Any)(x)],
  needsRefresh: [
    (x) => needsRefresh(x as Any),
    (x) => needsRefresh({ expiresIn: 5 }, x as Any),
    ...['skewMs', 'now', 'storedAt'].map(
      (name) => (x: unknown) => needsRefresh({ expiryDate: new Date() }, { [name]: x }),
    ),
  ],
  redact: [(x) => redact(x as Any), (x) => redact(connection(), x as Any)],
  maskSecrets: [(x) => core.maskSecrets(x as Any, {} as Any), (x) => core.maskSecrets(core.connectionSchema, x as Any)],
  exposeSecrets: [
    (x) => core.exposeSecrets(x as Any, {} as Any),
    (x) => core.exposeSecrets(core.connectionSchema, x as Any),
  ],
  Secret: [(x) => new core.Secret(x).expose(), (x) => core.Secret.is(x), (x) => core.Secret.prototype.expose.call(x)],
  toDate: [(x) => toDate(x as Any)],
  rewrapBatch: [
    (x) => rewrapBatch(x as Any, 'c', [['a', 'b']]),
    (x) => rewrapBatch(keys(), x as Any, [['a', 'b']]),
    (x) => rewrapBatch(keys(), 'c', x as Any),
    (x) => rewrapBatch(keys(), 'c', [x] as Any),
    (x) => rewrapBatch(keys(), 'c', [['a', x]] as Any),
  ],
  sealBatch: [
    (x) => sealBatch(x as Any, 'c', [['a', '{}', '{}']]),
    (x) => sealBatch(keys(), x as Any, [['a', '{}', '{}']]),
    (x) => sealBatch(keys(), 'c', x as Any),
    (x) => sealBatch(keys(), 'c', [x] as Any),
    (x) => sealBatch(keys(), 'c', [['a', '{}', x]] as Any),
  ],
  legacyMigrator: [
    (x) => core.legacyMigrator(x as Any),
    (x) => migratorWith({ keys: x }),
    (x) => migratorWith({ schema: x }),
    (x) => migratorWith({ legacy: x }),
    (x) => migratorWith()(x as Any, [['a', '{}']]),
    (x) => migratorWith()('c', x as Any),
    (x) => migratorWith()('c', [x] as Any),
    (x) => migratorWith()('c', [['a', x]] as Any),
  ],
  checkDistinctKeys: [
    (x) => checkDistinctKeys(x as Any),
    (x) => checkDistinctKeys([x] as Any),
    (x) => checkDistinctKeys([], x as Any),
  ],
  keysetEntries: [
    (x) => keysetEntries(x as Any, 10, fetchPage).next(),
    (x) => keysetEntries('a', x as Any, fetchPage).next(),
    (x) => keysetEntries('a', 10, x as Any).next(),
    (x) => keysetEntries('a', 10, async () => x as Any).next(),
  ],
  keyvStore: [(x) => core.keyvStore(x as Any)],
  leaseFor: [(x) => leaseFor(x as Any)],
  memoryStore: [(x) => (memoryStore as Any)(x)],
  prefixEnd: [(x) => prefixEnd(x as Any)],
  withDeadline: [
    (x) => withDeadline(x as Any, start, fail),
    (x) => withDeadline(5, x as Any, fail),
    (x) => withDeadline(5, async () => x, fail),
  ],
  isTenantKeyGone: [(x) => isTenantKeyGone(x)],
  isTenantKid: [(x) => isTenantKid(x as Any)],
  createVault: [
    (x) => createVault(x as Any),
    (x) => createVault({ store: memoryStore(), keyring: keys(), schema: x as Any }),
    (x) => createVault({ keyring: keys(), schema: core.connectionSchema, secrets: x as Any }),
  ],
  createSealer: [
    (x) => core.createSealer(x as Any),
    (x) => core.createSealer({ keyring: keys(), schema: x as Any }),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema, keyStore: x as Any }),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema, legacy: x as Any }),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).seal(x as Any, connection()),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).seal('a', x),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).open('a', x as Any),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).sealIndexed(x as Any, connection()),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).sealIndexed('a', x),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).terms(x as Any),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).term(x as Any, 'v'),
    (x) => core.createSealer({ keyring: keys(), schema: core.connectionSchema }).isCurrent(x as Any),
  ],
  isLegacyValue: [(x) => core.isLegacyValue(x as Any)],
  plaintextJson: [
    (x) => core.plaintextJson(x as Any),
    (x) => core.plaintextJson({ map: x as Any }),
    (x) => core.plaintextJson({ map: () => x }).read('{}', 'a'),
  ],
  aesGcmText: [
    (x) => core.aesGcmText(x as Any),
    ...['key', 'prefix', 'encoding', 'layout', 'map'].map(
      (name) => (x: unknown) =>
        core
          .aesGcmText({ key: new Uint8Array(32), prefix: 'enc:', encoding: 'hex', [name]: x })
          .read('enc:00:00:00', 'a'),
    ),
  ],
};

/** Runtime exports that are values, not entry points. */
const constants = [
  'VaultErrorCode',
  'FORMAT_VERSION',
  'KEY_LENGTH',
  'REMOTE_TIMEOUT_MS',
  'connectionAuthSchema',
  'connectionSchema',
  'DEFAULT_REFRESH_SKEW_MS',
  'REDACTED',
  'SECRET_MASK',
  'TENANT_RECORD_PREFIX',
  'MAX_TENANT_CACHE_TTL_MS',
  'RETIRE_GRACE_MS',
];

describe('every runtime export', () => {
  it('has calls in this file (or is a constant), so a new export cannot be forgotten', async () => {
    const exported = Object.keys(await import('@credvault/core')).sort();
    expect(exported).toEqual([...Object.keys(calls), ...constants].sort());
    for (const name of constants) expect(typeof (core as Record<string, unknown>)[name]).not.toBe('function');
  });

  it.each(Object.entries(calls))('%s: anything in any argument succeeds or gives a VaultError', async (_name, list) => {
    for (const call of list) {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          const error = await Promise.resolve()
            .then(() => call(value))
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          if (error !== undefined) expect(error).toBeInstanceOf(VaultError);
        }),
        { numRuns: 60 },
      );
    }
  });
});
