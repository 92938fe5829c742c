import { connectionSchema, createKeyring, createVault, generateKey, memoryStore } from '@credvault/core';
import { openTelemetry } from '@credvault/opentelemetry';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Measured, measureInterleaved } from './measure.js';
import { typicalConnection } from './records.js';

/** Per-run medians (ms) of vault.set + get on a memory store, by how the vault reports. */
export interface TelemetryRuns {
  /** No `telemetry` option: the vault wraps nothing. */
  readonly none: number[];
  /** `openTelemetry()` with no SDK registered: the API's no-op tracer and meter. */
  readonly noSdk: number[];
  /** `openTelemetry()` over the real SDK, every span exported to memory and every metric recorded. */
  readonly sdk: number[];
  /** Spans the recording SDK exported per set + get (checked, so the row measures what it says). */
  readonly spansPerOperation: number;
}

/** A reader that only holds the metrics (collected at the end, never exported). */
class HeldReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * vault.set + get of a Connection on a memory store (where the vault's own cost shows the most:
 * no round trip hides it), three vaults over one store, interleaved: no telemetry, `openTelemetry()`
 * with no SDK (no tracer or meter provider registered), and `openTelemetry()` over the SDK
 * recording (a `SimpleSpanProcessor` into an `InMemorySpanExporter`, emptied every 1,000 spans,
 * and a `MeterProvider` with a reader); `runs` times.
 */
export async function telemetryCases(timeMs: number, runs: number): Promise<TelemetryRuns> {
  const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
  const store = memoryStore();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new HeldReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const vault = (namespace: string, telemetry?: ReturnType<typeof openTelemetry>) =>
    createVault({ store, keyring, schema: connectionSchema, namespace, ...(telemetry ? { telemetry } : {}) });
  const none = vault('none');
  const noSdk = vault('nosdk', openTelemetry());
  const sdk = vault('sdk', openTelemetry({ tracerProvider, meterProvider }));
  let exported = 0;
  const setGet = (target: typeof none) => {
    let i = 0;
    return async () => {
      const id = `c${i % 1000}`;
      await target.set(id, typicalConnection(i++));
      return target.get(id);
    };
  };
  const recording = setGet(sdk);
  const result: TelemetryRuns = { none: [], noSdk: [], sdk: [], spansPerOperation: 0 };
  for (let run = 0; run < runs; run++) {
    const [a, b, c] = (await measureInterleaved(
      {
        'no telemetry': setGet(none),
        'openTelemetry(), no SDK registered': setGet(noSdk),
        'openTelemetry(), SDK recording': async () => {
          const value = await recording();
          const spans = exporter.getFinishedSpans().length;
          if (spans >= 1000) {
            exported += spans;
            exporter.reset();
          }
          return value;
        },
      },
      timeMs,
    )) as [Measured, Measured, Measured];
    result.none.push(a.medianMs);
    result.noSdk.push(b.medianMs);
    result.sdk.push(c.medianMs);
  }
  exporter.reset();
  await recording();
  const spansPerOperation = exporter.getFinishedSpans().length;
  if (spansPerOperation === 0 || exported === 0) throw new Error('the recording SDK exported no span');
  await Promise.all([none.close(), noSdk.close(), sdk.close()]);
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
  return { ...result, spansPerOperation };
}
