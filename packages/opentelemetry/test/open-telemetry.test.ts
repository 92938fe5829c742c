import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConnectionInput,
  cachedKeys,
  connectionSchema,
  createVault,
  generateKey,
  Keyring,
  leaseFor,
  memoryStore,
  type RemoteKey,
  remoteKeys,
  type VaultStore,
  type VaultTelemetry,
} from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// Internal, for the lease calls the vault does not make yet (extend): the wrapper the vault puts
// around its store when it has telemetry.
import { observedStore } from '../../core/src/store/observed-store.js';
import { openTelemetry } from '../src/index.js';

/** A reader the test collects from when it wants. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const SECRET = {
  accessToken: 'AT-otel-secret-7a6b5c4d3e',
  refreshToken: 'RT-otel-secret-1f2e3d4c5b',
  connectionToken: 'CT-otel-secret-0a9b8c7d',
};
const ID = 'conn-otel-9z8y7x';
const record = (status = 'active'): ConnectionInput => ({
  idConnection: '123e4567-e89b-12d3-a456-426614174000',
  status,
  providerSlug: 'hubspot',
  vertical: 'crm',
  accountUrl: 'https://example.com/account',
  tokenType: 'oauth2',
  accessToken: SECRET.accessToken,
  refreshToken: SECRET.refreshToken,
  connectionToken: SECRET.connectionToken,
  expirationTimestamp: '2030-10-01T12:00:00Z',
  createdAt: new Date('2024-10-01T12:00:00.123Z'),
  idProject: '123e4567-e89b-12d3-a456-426614174001',
  idLinkedUser: '123e4567-e89b-12d3-a456-426614174002',
});

/** A KMS-shaped key: AES-256-GCM with the context as associated data, answering after `delayMs`. */
async function slowKey(name: string, delayMs: number): Promise<RemoteKey> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const later = () => new Promise((resolve) => setTimeout(resolve, delayMs));
  return {
    name,
    async encrypt(plaintext, additionalData) {
      await later();
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, plaintext),
      );
      return Uint8Array.from([...iv, ...sealed]);
    },
    async decrypt(ciphertext, additionalData) {
      await later();
      const iv = ciphertext.subarray(0, 12);
      const body = ciphertext.subarray(12);
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, body));
    },
  };
}

const contextManager = new AsyncLocalStorageContextManager();
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let reader: TestReader;
let meterProvider: MeterProvider;
const dir = mkdtempSync(join(tmpdir(), 'credvault-otel-'));

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  exporter.reset();
  reader = new TestReader();
  meterProvider = new MeterProvider({ readers: [reader] });
});

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
async function collect(): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}
/** The data points of metric `name`, as [attributes, value]. */
async function points(name: string): Promise<[Record<string, unknown>, unknown][]> {
  const metrics = (await collect()).scopeMetrics.flatMap((scope) => scope.metrics);
  const metric = metrics.find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p) => [p.attributes, p.value] as [Record<string, unknown>, unknown]);
}
/** Everything exported, as text: spans with their attributes, events and status, and every metric. */
async function exported(): Promise<string> {
  const text = spans().map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events }));
  return JSON.stringify({ spans: text, metrics: await collect() });
}

const stores: [string, () => VaultStore, string][] = [
  ['memory', () => memoryStore(), 'memory'],
  ['SQLite', () => sqliteStore({ path: join(dir, `${Math.random().toString(36).slice(2)}.db`) }), 'sqlite'],
];

describe.each(stores)('openTelemetry on the %s store', (_, makeStore, system) => {
  const keyring = () => new Keyring([{ kid: 'k1', key: generateKey() }]);

  it('makes an INTERNAL span per operation with its store calls as CLIENT database spans inside', async () => {
    const telemetry = openTelemetry({ tracerProvider, meterProvider });
    const vault = createVault({
      store: makeStore(),
      keyring: keyring(),
      schema: connectionSchema,
      telemetry,
      namespace: 'ns1',
    });
    await vault.set(ID, record());
    await vault.get(ID);
    await vault.close();
    const [set] = named('credvault.set');
    const [get] = named('credvault.get');
    expect(set?.kind).toBe(SpanKind.INTERNAL);
    expect(set?.attributes).toMatchObject({
      'credvault.operation': 'set',
      'credvault.outcome': 'ok',
      'credvault.namespace': 'ns1',
    });
    const storeSet = named('set ns1')[0] as ReadableSpan;
    expect(storeSet.kind).toBe(SpanKind.CLIENT);
    expect(storeSet.attributes).toMatchObject({
      'db.system.name': system,
      'db.operation.name': 'set',
      'db.namespace': 'ns1',
      'credvault.store': system,
    });
    expect(parentOf(storeSet)).toBe(set?.spanContext().spanId);
    expect(storeSet.spanContext().traceId).toBe(set?.spanContext().traceId);
    const storeGet = named('get ns1')[0] as ReadableSpan;
    expect(parentOf(storeGet)).toBe(get?.spanContext().spanId);
    expect(parentOf(set as ReadableSpan)).toBeUndefined();
    const durations = await points('credvault.operation.duration');
    expect(durations.map(([attributes]) => attributes)).toContainEqual({
      'credvault.operation': 'get',
      'credvault.namespace': 'ns1',
      'credvault.outcome': 'ok',
    });
  });

  it('ends a read that does not open with status ERROR and error.type DECRYPT_FAILED', async () => {
    const store = makeStore();
    const telemetry = openTelemetry({ tracerProvider, meterProvider });
    const vault = createVault({ store, keyring: keyring(), schema: connectionSchema, telemetry });
    await vault.set(ID, record());
    const stored = (await store.get(`default:${ID}`)) as string;
    await store.set(`default:${ID}`, `${stored.slice(0, -4)}AAAA`);
    await expect(vault.get(ID)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    await vault.close();
    const [get] = named('credvault.get');
    expect(get?.status.code).toBe(SpanStatusCode.ERROR);
    expect(get?.attributes).toMatchObject({ 'error.type': 'DECRYPT_FAILED', 'credvault.outcome': 'DECRYPT_FAILED' });
    expect(await points('credvault.operation.duration')).toContainEqual([
      { 'credvault.operation': 'get', 'credvault.namespace': 'default', 'credvault.outcome': 'DECRYPT_FAILED' },
      expect.objectContaining({ count: 1 }),
    ]);
  });

  it('exports no secret and no record id, unless recordIds puts the ids on', async () => {
    for (const recordIds of [false, true]) {
      exporter.reset();
      const telemetry = openTelemetry({ tracerProvider, meterProvider, recordIds });
      const vault = createVault({
        store: makeStore(),
        keyring: keyring(),
        schema: connectionSchema,
        telemetry,
        index: ['accessToken'],
      });
      await vault.set(ID, record());
      await vault.get(ID);
      await vault.update(ID, (current) => (current === undefined ? undefined : { ...current, status: 'paused' }));
      expect(await vault.findBy('accessToken', SECRET.accessToken)).toMatchObject({ id: ID });
      for await (const _ of vault.entries()) {
        // every record opened
      }
      await vault.rotate();
      await vault.status();
      await vault.verify();
      await vault.delete(ID);
      await vault.close();
      const text = await exported();
      for (const secret of Object.values(SECRET)) expect(text).not.toContain(secret);
      if (recordIds) {
        expect(named('credvault.get')[0]?.attributes['credvault.record.id']).toBe(ID);
        expect(named('get default').some((span) => span.attributes['credvault.record.id'] === ID)).toBe(true);
      } else expect(text).not.toContain(ID);
    }
  });

  it('counts unwrap and record cache hits and misses', async () => {
    const telemetry = openTelemetry({ tracerProvider, meterProvider });
    const store = makeStore();
    const shared = new Keyring([{ kid: 'k1', key: generateKey() }]);
    const a = createVault({ store, keyring: shared, schema: connectionSchema, telemetry, recordCache: false });
    await a.set(ID, record());
    await a.get(ID);
    await a.get(ID);
    const b = createVault({ store, keyring: shared, schema: connectionSchema, telemetry, namespace: 'default' });
    await b.get(ID);
    await b.get(ID);
    await b.close(); // closes the store too
    const requests = await points('credvault.cache.requests');
    const count = (cache: string, result: string) =>
      requests.find(
        ([attributes]) => attributes['credvault.cache'] === cache && attributes['credvault.cache.result'] === result,
      )?.[1];
    expect(count('unwrap', 'miss')).toBe(2); // a's first read, b's first read
    expect(count('unwrap', 'hit')).toBe(1); // a's second read
    expect(count('record', 'miss')).toBe(1); // b's first read
    expect(count('record', 'hit')).toBe(1); // b's second read
  });

  it('makes a span per rotation batch inside the rotate span and counts records by result', async () => {
    const store = makeStore();
    const old = { kid: 'old', key: generateKey() };
    const before = createVault({ store, keyring: new Keyring([old]), schema: connectionSchema });
    await before.setMany(Array.from({ length: 7 }, (_, i) => [`r${i}`, record()] as const));
    const telemetry = openTelemetry({ tracerProvider, meterProvider });
    const vault = createVault({
      store,
      keyring: new Keyring([{ kid: 'k2', key: generateKey() }, old]),
      schema: connectionSchema,
      telemetry,
    });
    await vault.set('fresh', record());
    const report = await vault.rotate({ batchSize: 3 });
    expect(report.rewrapped).toBe(7);
    const [rotate] = named('credvault.rotate');
    const batches = named('credvault.rotate.batch');
    expect(batches.map((span) => span.attributes['credvault.records']).sort()).toEqual([1, 3, 3]);
    for (const batch of batches) expect(parentOf(batch)).toBe(rotate?.spanContext().spanId);
    const writes = spans().filter(
      (span) => span.kind === SpanKind.CLIENT && /^(compareAndSet|replacePrefix)Many /.test(span.name),
    );
    expect(writes.length).toBe(3);
    const batchIds = new Set(batches.map((span) => span.spanContext().spanId));
    for (const write of writes) expect(batchIds.has(parentOf(write) as string)).toBe(true);
    const rotated = await points('credvault.rotation.records');
    const byResult = Object.fromEntries(
      rotated.map(([attributes, value]) => [attributes['credvault.rotation.result'], value]),
    );
    expect(byResult).toEqual({ rewrapped: 7, current: 1 });
    await vault.status();
    const records = await points('credvault.records');
    expect(records).toEqual([
      [{ 'credvault.namespace': 'default', 'credvault.key.id': 'k2', 'credvault.key.primary': true }, 8],
    ]);
    expect(await points('credvault.records.not_on_primary')).toEqual([[{ 'credvault.namespace': 'default' }, 0]]);
    await vault.close();
  });

  it('makes a CLIENT span per KMS call, inside the operation, timed from the call to its answer', async () => {
    const telemetry = openTelemetry({ tracerProvider, meterProvider });
    const remote = await slowKey('test:slow-kms', 25);
    const vault = createVault({
      store: makeStore(),
      keyring: cachedKeys(remoteKeys([{ kid: 'kms1', remote }])),
      schema: connectionSchema,
      telemetry,
    });
    await vault.set(ID, record());
    await vault.get(ID);
    await vault.get(ID); // answered by the keyring's own unwrap cache: no KMS call
    await vault.close();
    const wraps = named('credvault.remote_key.wrap');
    const unwraps = named('credvault.remote_key.unwrap');
    expect(wraps).toHaveLength(1);
    expect(unwraps).toHaveLength(1);
    const unwrap = unwraps[0] as ReadableSpan;
    expect(unwrap.kind).toBe(SpanKind.CLIENT);
    expect(unwrap.attributes).toMatchObject({
      'credvault.operation': 'unwrap',
      'credvault.key.id': 'kms1',
      'credvault.outcome': 'ok',
    });
    expect(parentOf(unwrap)).toBe(named('credvault.get')[0]?.spanContext().spanId);
    const ms = unwrap.duration[0] * 1000 + unwrap.duration[1] / 1e6;
    expect(ms).toBeGreaterThanOrEqual(20);
    const durations = await points('credvault.remote_key.duration');
    expect(durations.map(([attributes]) => attributes)).toContainEqual({
      'credvault.operation': 'unwrap',
      'credvault.key.id': 'kms1',
      'credvault.outcome': 'ok',
    });
  });
});

/** A memory store with leases of its own (as Redis has), where the vault would otherwise build them on compareAndSet. */
function leasingStore(): VaultStore {
  const store = memoryStore();
  const lease = leaseFor(store);
  if (lease === undefined) throw new Error('the memory store has compareAndSet: leases build on it');
  return Object.assign(store, { lease });
}

describe('openTelemetry: a lease’s own calls', () => {
  it('makes a lease.release span inside credvault.refresh, on a store with leases of its own', async () => {
    const telemetry = openTelemetry({ tracerProvider, meterProvider });
    const vault = createVault({
      store: leasingStore(),
      keyring: new Keyring([{ kid: 'k1', key: generateKey() }]),
      schema: connectionSchema,
      telemetry,
      namespace: 'ns1',
    });
    await vault.set(ID, record());
    await vault.refresh(ID, async (current) => ({ ...current, accessToken: 'AT-otel-secret-next' }), { force: true });
    await vault.close();
    const [refresh] = named('credvault.refresh');
    const [take] = named('lease ns1');
    const [release] = named('lease.release ns1');
    expect(take).toBeDefined();
    expect(release?.kind).toBe(SpanKind.CLIENT);
    expect(release?.attributes).toMatchObject({
      'db.system.name': 'memory',
      'db.operation.name': 'lease.release',
      'db.namespace': 'ns1',
      'credvault.outcome': 'ok',
    });
    expect(parentOf(release as ReadableSpan)).toBe(refresh?.spanContext().spanId);
    expect(await exported()).not.toContain(ID); // the lease's name holds the id: never exported
  });

  it('makes one span per extend and release, in the span that called them, with their outcome', async () => {
    const telemetry = openTelemetry({ tracerProvider, meterProvider });
    const store = observedStore(leasingStore(), telemetry, 'ns1');
    const tracer = tracerProvider.getTracer('test');
    await tracer.startActiveSpan('work', async (work) => {
      const lease = await store.lease?.(`ns1:~lease:rotate:${ID}`, 5000);
      expect(lease).toBeDefined();
      expect(await lease?.extend(5000)).toBe(true);
      expect(await lease?.release()).toBe(true);
      expect(await lease?.extend(5000)).toBe(false); // no longer held: answered, not failed
      work.end();
    });
    const [work] = named('work');
    const extends_ = named('lease.extend ns1');
    const [release] = named('lease.release ns1');
    expect(extends_).toHaveLength(2);
    for (const span of [...extends_, release as ReadableSpan]) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(parentOf(span)).toBe(work?.spanContext().spanId);
      expect(span.attributes).toMatchObject({ 'db.namespace': 'ns1', 'credvault.outcome': 'ok' });
    }
    expect(extends_[0]?.attributes['db.operation.name']).toBe('lease.extend');
    expect(release?.attributes['db.operation.name']).toBe('lease.release');
    expect((await points('credvault.store.duration')).map(([attributes]) => attributes)).toContainEqual({
      'db.system.name': 'memory',
      'db.operation.name': 'lease.extend',
      'db.namespace': 'ns1',
      'credvault.store': 'memory',
      'credvault.outcome': 'ok',
    });
    expect(await exported()).not.toContain(ID);
  });
});

describe('openTelemetry with no SDK registered', () => {
  it('builds no span and reads no clock: every call runs in one shared pass-through span', () => {
    const telemetry = openTelemetry();
    const operation = telemetry.operation({ operation: 'get', namespace: 'ns1' });
    const storeCall = telemetry.storeCall({ store: 'memory', operation: 'get', namespace: 'ns1' });
    expect(storeCall).toBe(operation);
    expect(operation.run(() => 42)).toBe(42);
    const pending = Promise.resolve(7);
    expect(telemetry.remoteKeyCall({ operation: 'unwrap', kid: 'k1', startTime: performance.now() }, pending)).toBe(
      pending,
    );
  });

  it('gives spans and metrics to an SDK registered after openTelemetry() was called', async () => {
    const telemetry = openTelemetry();
    const vault = createVault({
      store: memoryStore(),
      keyring: new Keyring([{ kid: 'k1', key: generateKey() }]),
      schema: connectionSchema,
      telemetry,
      namespace: 'late',
    });
    await vault.set(ID, record());
    await vault.get(ID); // before any SDK: nowhere to go
    expect(telemetry.active?.()).toBe(false);
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    try {
      expect(telemetry.active?.()).toBe(true);
      await vault.get(ID);
      await vault.close();
      expect(named('credvault.set')).toEqual([]);
      const [get] = named('credvault.get');
      expect(get?.attributes).toMatchObject({ 'credvault.operation': 'get', 'credvault.outcome': 'ok' });
      const [storeGet] = named('get late');
      expect(parentOf(storeGet as ReadableSpan)).toBe(get?.spanContext().spanId);
      expect(await points('credvault.operation.duration')).toEqual([
        [
          { 'credvault.operation': 'get', 'credvault.namespace': 'late', 'credvault.outcome': 'ok' },
          expect.objectContaining({ count: 1 }),
        ],
      ]);
      expect((await points('credvault.store.duration')).map(([attributes]) => attributes)).toContainEqual({
        'db.system.name': 'memory',
        'db.operation.name': 'get',
        'db.namespace': 'late',
        'credvault.store': 'memory',
        'credvault.outcome': 'ok',
      });
    } finally {
      trace.disable();
      metrics.disable();
    }
  });

  it('with a meter provider but no tracer provider, records durations and outcomes without spans', async () => {
    const store = memoryStore();
    const telemetry = openTelemetry({ meterProvider });
    const vault = createVault({
      store,
      keyring: new Keyring([{ kid: 'k1', key: generateKey() }]),
      schema: connectionSchema,
      telemetry,
    });
    await vault.set(ID, record());
    const stored = (await store.get(`default:${ID}`)) as string;
    await store.set(`default:${ID}`, `${stored.slice(0, -4)}AAAA`);
    await expect(vault.get(ID)).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    await vault.close();
    expect(spans()).toEqual([]);
    expect(await points('credvault.operation.duration')).toContainEqual([
      { 'credvault.operation': 'get', 'credvault.namespace': 'default', 'credvault.outcome': 'DECRYPT_FAILED' },
      expect.objectContaining({ count: 1 }),
    ]);
    expect((await points('credvault.store.duration')).map(([attributes]) => attributes)).toContainEqual({
      'db.system.name': 'memory',
      'db.operation.name': 'set',
      'db.namespace': 'default',
      'credvault.store': 'memory',
      'credvault.outcome': 'ok',
    });
  });
});

/** A vault on a memory store under a local key, reporting to `telemetry`. */
const localVault = (telemetry: VaultTelemetry) =>
  createVault({
    store: memoryStore(),
    keyring: new Keyring([{ kid: 'k1', key: generateKey() }]),
    schema: connectionSchema,
    telemetry,
  });

/** `openTelemetry()` with every span it is asked for written down, by operation name. */
function counted(options: Parameters<typeof openTelemetry>[0] = {}) {
  const base = openTelemetry(options);
  const told: string[] = [];
  const telemetry: VaultTelemetry = {
    ...base,
    operation: (info) => {
      told.push(info.operation);
      return base.operation(info);
    },
    storeCall: (info) => {
      told.push(`store ${info.operation}`);
      return base.storeCall(info);
    },
    remoteKeyCall: (info, pending) => {
      told.push(`key ${info.operation}`);
      return base.remoteKeyCall(info, pending);
    },
  };
  return { telemetry, told };
}

describe('openTelemetry().active(): the vault asks it before each call', () => {
  it('is false with no SDK registered, and the vault then asks for no span at all', async () => {
    const { telemetry, told } = counted();
    expect(telemetry.active?.()).toBe(false);
    const vault = createVault({
      store: memoryStore(),
      keyring: remoteKeys([{ kid: 'kms1', remote: await slowKey('test:slow-kms', 1) }]),
      schema: connectionSchema,
      telemetry,
    });
    await vault.set(ID, record());
    await vault.get(ID);
    await vault.status();
    await vault.close();
    expect(told).toEqual([]);
    expect(spans()).toEqual([]);
  });

  it('is true with a tracer provider or a meter provider given, and every call is reported', async () => {
    expect(openTelemetry({ tracerProvider }).active?.()).toBe(true);
    expect(openTelemetry({ meterProvider }).active?.()).toBe(true);
    const { telemetry, told } = counted({ meterProvider });
    const vault = localVault(telemetry);
    await vault.set(ID, record());
    await vault.close();
    expect(told).toEqual(['set', 'store set', 'store close']);
    expect(await points('credvault.operation.duration')).toContainEqual([
      { 'credvault.operation': 'set', 'credvault.namespace': 'default', 'credvault.outcome': 'ok' },
      expect.objectContaining({ count: 1 }),
    ]);
  });

  it('turns true when only a global meter provider is registered later: metrics from then on, no spans', async () => {
    const { telemetry, told } = counted();
    const vault = localVault(telemetry);
    await vault.set(ID, record());
    expect(told).toEqual([]);
    metrics.setGlobalMeterProvider(meterProvider);
    try {
      expect(telemetry.active?.()).toBe(true);
      await vault.get(ID);
      expect(told).toEqual(['get', 'store get']);
      expect(spans()).toEqual([]);
      expect(await points('credvault.operation.duration')).toEqual([
        [
          { 'credvault.operation': 'get', 'credvault.namespace': 'default', 'credvault.outcome': 'ok' },
          expect.objectContaining({ count: 1 }),
        ],
      ]);
    } finally {
      metrics.disable();
      await vault.close();
    }
    expect(telemetry.active?.()).toBe(false);
  });
});
