import { AsyncLocalStorage } from 'node:async_hooks';
import {
  connectionSchema,
  createSealer,
  createVault,
  generateKey,
  isVaultError,
  Keyring,
  memoryStore,
  type OperationInfo,
  type StoreCallInfo,
  type TelemetrySpan,
  type VaultStore,
  type VaultTelemetry,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection, SECRET_STRINGS } from './support/fixtures.js';
import { testKms } from './support/test-kms.js';

/** A VaultTelemetry that writes down everything it is told, with each span's parent (the span whose `run` it started in). */
function recorder(recordIds = false, active?: () => boolean) {
  const spans: { kind: string; info: object; parent: number | undefined; outcome?: string }[] = [];
  const events: { kind: string; info: object }[] = [];
  const current = new AsyncLocalStorage<number>();
  const start = (kind: string, info: object): TelemetrySpan => {
    const index = spans.push({ kind, info, parent: current.getStore() }) - 1;
    return {
      run: (work) => current.run(index, work),
      end(error?: unknown) {
        (spans[index] as { outcome?: string }).outcome =
          error === undefined ? 'ok' : isVaultError(error) ? error.code : 'other';
      },
    };
  };
  const telemetry: VaultTelemetry = {
    recordIds,
    ...(active === undefined ? {} : { active }),
    operation: (info: OperationInfo) => start('operation', info),
    storeCall: (info: StoreCallInfo) => start('store', info),
    remoteKeyCall: (info, pending) => {
      events.push({ kind: 'remoteKey', info });
      return pending;
    },
    cache: (info) => events.push({ kind: 'cache', info }),
    rotation: (info) => events.push({ kind: 'rotation', info }),
    records: (info) => events.push({ kind: 'records', info }),
  };
  return { telemetry, spans, events };
}

const entry = { kid: 'k1', key: generateKey() };
/** The source files of the telemetry wrappers, as they show in a stack. */
const WRAPPERS = /src[/\\](telemetry[/\\]|store[/\\]observed|keys[/\\]observed|vault[/\\]observed)/;

describe('a vault without telemetry', () => {
  it('uses the very store and keyring given: nothing is wrapped on any call', async () => {
    const { store: spy, stacks } = stackedStore();
    const kms = testKms([entry]);
    const unwrap = kms.unwrap.bind(kms);
    kms.unwrap = (kid, wrapped, context) => {
      stacks.push(new Error().stack ?? '');
      return unwrap(kid, wrapped, context);
    };
    const vault = createVault({ store: spy, keyring: kms, schema: connectionSchema });
    expect(vault.store).toBe(spy);
    await vault.set('a', connection());
    await vault.get('a');
    expect(stacks).toHaveLength(2);
    for (const stack of stacks) expect(stack).not.toMatch(WRAPPERS);
  });
});

describe('a vault with telemetry', () => {
  it('reports each operation as a span, its store calls inside it, with outcomes and no id by default', async () => {
    const { telemetry, spans, events } = recorder();
    const store = memoryStore();
    const vault = createVault({ store, keyring: new Keyring([entry]), schema: connectionSchema, telemetry });
    expect(vault.store).toBe(store);
    await vault.set('rec-1', connection());
    await vault.get('rec-1');
    await vault.get('rec-1');
    expect(spans.map((s) => [s.kind, (s.info as { operation: string }).operation, s.parent, s.outcome])).toEqual([
      ['operation', 'set', undefined, 'ok'],
      ['store', 'set', 0, 'ok'],
      ['operation', 'get', undefined, 'ok'],
      ['store', 'get', 2, 'ok'],
      ['operation', 'get', undefined, 'ok'],
      ['store', 'get', 4, 'ok'],
    ]);
    expect(spans[1]?.info).toEqual({ store: 'memory', operation: 'set', namespace: 'default' });
    expect(events.filter((e) => e.kind === 'cache').map((e) => (e.info as { result: string }).result)).toEqual([
      'hit',
      'hit',
    ]);
    const told = JSON.stringify({ spans, events });
    expect(told).not.toContain('rec-1');
    for (const secret of SECRET_STRINGS) expect(told).not.toContain(secret);
  });

  it('passes record ids only with recordIds, and a failed read has its code as outcome', async () => {
    const { telemetry, spans } = recorder(true);
    const store = memoryStore();
    const vault = createVault({ store, keyring: new Keyring([entry]), schema: connectionSchema, telemetry });
    await vault.set('rec-1', connection());
    const stored = (await store.get('default:rec-1')) as string;
    await store.set('default:rec-1', `${stored.slice(0, -4)}AAAA`);
    await expect(vault.get('rec-1')).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(spans.at(-2)).toMatchObject({ info: { operation: 'get', id: 'rec-1' }, outcome: 'DECRYPT_FAILED' });
    expect(spans.at(-1)).toMatchObject({ info: { operation: 'get', id: 'rec-1' }, outcome: 'ok', kind: 'store' });
  });

  it('reports asynchronous key calls as remote, rotation batches and progress, and status by kid', async () => {
    const { telemetry, spans, events } = recorder();
    const old = { kid: 'old', key: generateKey() };
    const store = memoryStore();
    const before = createVault({ store, keyring: testKms([old]), schema: connectionSchema });
    for (let i = 0; i < 5; i++) await before.set(`r${i}`, connection());
    const vault = createVault({ store, keyring: testKms([entry, old]), schema: connectionSchema, telemetry });
    await vault.rotate({ batchSize: 2 });
    expect(spans.filter((s) => (s.info as OperationInfo).operation === 'rotate.batch')).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'remoteKey').length).toBeGreaterThanOrEqual(10);
    const rotated = events.filter((e) => e.kind === 'rotation').map((e) => e.info as { result: string; count: number });
    expect(rotated.filter((r) => r.result === 'rewrapped').reduce((sum, r) => sum + r.count, 0)).toBe(5);
    await vault.status();
    expect(events.at(-1)).toEqual({
      kind: 'records',
      info: { namespace: 'default', primaryKid: 'k1', kids: { k1: 5 }, notOnPrimary: 0 },
    });
  });

  it('must have the members of VaultTelemetry', () => {
    const keyring = new Keyring([entry]);
    const telemetry = { operation: () => undefined } as unknown as VaultTelemetry;
    expect(() => createVault({ keyring, schema: connectionSchema, telemetry })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'telemetry' }),
    );
  });
});

/** The span runner, as it shows in a stack: what a call made while nothing records must not pass through. */
const IN_SPAN = /src[/\\]telemetry[/\\]span/;

/** A memory store whose `get` writes down the stack it was called from. */
function stackedStore(): { store: VaultStore; stacks: string[] } {
  const store = memoryStore();
  const stacks: string[] = [];
  const get = store.get.bind(store);
  const spyGet: VaultStore['get'] = (key) => {
    stacks.push(new Error().stack ?? '');
    return get(key);
  };
  return { store: Object.assign(Object.create(Object.getPrototypeOf(store)), store, { get: spyGet }), stacks };
}

describe('a vault with telemetry that does not record (active() false)', () => {
  it('tells it of no operation, store call or key call, and calls straight through without a span', async () => {
    const active = false;
    const asked: number[] = [];
    const { telemetry, spans, events } = recorder(true, () => {
      asked.push(1);
      return active;
    });
    const { store, stacks } = stackedStore();
    const vault = createVault({ store, keyring: testKms([entry]), schema: connectionSchema, telemetry });
    await vault.set('rec-1', connection());
    expect(await vault.get('rec-1')).toMatchObject({ accessToken: connection().accessToken });
    expect(await vault.has('rec-1')).toBe(true);
    for await (const _ of vault.entries()) break;
    await vault.status();
    expect(spans).toEqual([]);
    expect(events.filter((e) => e.kind !== 'cache')).toEqual([]);
    expect(asked.length).toBeGreaterThan(0);
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) expect(stack).not.toMatch(IN_SPAN);
  });

  it('reports again from the moment active() turns true (an SDK registered later)', async () => {
    let active = false;
    const { telemetry, spans, events } = recorder(false, () => active);
    const old = { kid: 'old', key: generateKey() };
    const store = memoryStore();
    const vault = createVault({ store, keyring: testKms([entry, old]), schema: connectionSchema, telemetry });
    await vault.set('rec-1', connection());
    await vault.get('rec-1');
    expect(spans).toEqual([]);
    active = true;
    await vault.get('rec-1');
    await vault.rotate({ batchSize: 2 });
    await vault.status();
    const operations = spans.filter((s) => s.kind === 'operation').map((s) => (s.info as OperationInfo).operation);
    expect(operations.slice(0, 2)).toEqual(['get', 'rotate']);
    expect(spans.slice(0, 2).map((s) => [s.kind, s.parent, s.outcome])).toEqual([
      ['operation', undefined, 'ok'],
      ['store', 0, 'ok'],
    ]);
    expect(events.some((e) => e.kind === 'records')).toBe(true);
    active = false;
    const before = spans.length;
    await vault.get('rec-1');
    expect(spans).toHaveLength(before);
  });

  it('reports every call of a telemetry without active(), as before it existed', async () => {
    const { telemetry, spans, events } = recorder();
    expect('active' in telemetry).toBe(false);
    const vault = createVault({ keyring: testKms([entry]), schema: connectionSchema, telemetry });
    await vault.set('rec-1', connection());
    await vault.get('rec-1');
    expect(spans.map((s) => [s.kind, (s.info as { operation: string }).operation])).toEqual([
      ['operation', 'set'],
      ['store', 'set'],
      ['operation', 'get'],
      ['store', 'get'],
    ]);
    expect(events.filter((e) => e.kind === 'remoteKey').length).toBeGreaterThan(0);
  });

  it('refuses an active that is not a function', () => {
    const { telemetry } = recorder();
    const keyring = new Keyring([entry]);
    const bad = { ...telemetry, active: true } as unknown as VaultTelemetry;
    expect(() => createVault({ keyring, schema: connectionSchema, telemetry: bad })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'telemetry.active' }),
    );
    expect(() => createSealer({ keyring, schema: connectionSchema, telemetry: bad })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'telemetry.active' }),
    );
  });
});
