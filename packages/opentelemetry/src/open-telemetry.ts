import type {
  CacheInfo,
  OperationInfo,
  RecordsInfo,
  RemoteKeyCallInfo,
  RotationInfo,
  StoreCallInfo,
  TelemetrySpan,
  VaultTelemetry,
} from '@credvault/core';
import {
  type Attributes,
  context,
  type Meter,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ATTR, dbSystem, METRIC, outcomeOf, SCOPE, SCOPE_VERSION, SPAN_PREFIX } from './names.js';

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where spans go. Default: the global tracer provider (`NodeSDK` or `trace.setGlobalTracerProvider` sets it). */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global meter provider. */
  readonly meterProvider?: MeterProvider;
  /**
   * Puts record ids on operation and store call spans (`credvault.record.id`). Default `false`:
   * an id can be personal data or guessable; no id leaves the vault unless this is set.
   */
  readonly recordIds?: boolean;
}

/** The instruments, made once per {@link openTelemetry}. */
function instruments(meter: Meter, snapshot: Map<string, RecordsInfo>) {
  const seconds = { unit: 's' };
  const records = meter.createObservableGauge(METRIC.records, {
    description: 'Application records per key id, as the last status() of each namespace counted them',
  });
  const notOnPrimary = meter.createObservableGauge(METRIC.recordsNotOnPrimary, {
    description: 'Records on a master key id other than the primary, as the last status() counted them',
  });
  records.addCallback((result) => {
    for (const { namespace, primaryKid, kids } of snapshot.values()) {
      for (const [kid, count] of Object.entries(kids)) {
        result.observe(count, { [ATTR.namespace]: namespace, [ATTR.kid]: kid, [ATTR.primary]: kid === primaryKid });
      }
    }
  });
  notOnPrimary.addCallback((result) => {
    for (const { namespace, notOnPrimary: count } of snapshot.values())
      result.observe(count, { [ATTR.namespace]: namespace });
  });
  return {
    operation: meter.createHistogram(METRIC.operationDuration, {
      ...seconds,
      description: 'Duration of vault operations',
    }),
    store: meter.createHistogram(METRIC.storeDuration, { ...seconds, description: 'Duration of store calls' }),
    cache: meter.createCounter(METRIC.cacheRequests, { description: 'Unwrap and record cache lookups by result' }),
    remoteKey: meter.createHistogram(METRIC.remoteKeyDuration, {
      ...seconds,
      description: 'Duration of KMS/HSM calls',
    }),
    remoteKeyFailures: meter.createCounter(METRIC.remoteKeyFailures, { description: 'KMS/HSM calls that failed' }),
    rotation: meter.createCounter(METRIC.rotationRecords, { description: 'Records a rotation handled, by result' }),
  };
}

/**
 * A span that measures itself: ended once with its outcome (the `VaultError` code, `ok`), its
 * duration recorded in `histogram` under `attributes` plus the outcome.
 */
function measuredSpan(span: Span, record: (seconds: number, outcome: string) => void): TelemetrySpan {
  const started = performance.now();
  const active = trace.setSpan(context.active(), span);
  let ended = false;
  return {
    run: (work) => context.with(active, work),
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      const outcome = error === undefined ? 'ok' : outcomeOf(error);
      span.setAttribute(ATTR.outcome, outcome);
      if (error !== undefined) {
        span.setAttribute(ATTR.errorType, outcome);
        // The message is the VaultError's: it names the field path and never a secret value.
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : outcome });
      }
      span.end();
      record((performance.now() - started) / 1000, outcome);
    },
  };
}

/**
 * The OpenTelemetry side of a vault (`createVault({ telemetry: openTelemetry() })`), on the
 * `@opentelemetry/api` only: spans for vault operations (INTERNAL, `credvault.<operation>`,
 * `credvault.rotate.batch`), store calls (CLIENT, database spans: `db.system.name`,
 * `db.operation.name`, `db.namespace`) and KMS/HSM calls (CLIENT, `credvault.remote_key.<wrap|unwrap>`);
 * metrics of operation, store and KMS/HSM durations, cache lookups, records per kid and rotation
 * progress. Never a secret; record ids only with `recordIds`. One instance can serve many vaults.
 * Spans nest through the active context: register a context manager (`NodeSDK` does).
 * @example
 * ```ts
 * const vault = createVault({ keyring, schema: connectionSchema, store, telemetry: openTelemetry() })
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): VaultTelemetry {
  const tracer: Tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, SCOPE_VERSION);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, SCOPE_VERSION);
  const snapshot = new Map<string, RecordsInfo>();
  const measure = instruments(meter, snapshot);
  return {
    recordIds: options.recordIds === true,
    operation(info: OperationInfo): TelemetrySpan {
      const attributes: Attributes = { [ATTR.operation]: info.operation, [ATTR.namespace]: info.namespace };
      if (info.id !== undefined) attributes[ATTR.recordId] = info.id;
      if (info.records !== undefined) attributes[ATTR.records] = info.records;
      const span = tracer.startSpan(`${SPAN_PREFIX}${info.operation}`, { kind: SpanKind.INTERNAL, attributes });
      const metric = { [ATTR.operation]: info.operation, [ATTR.namespace]: info.namespace };
      return measuredSpan(span, (s, outcome) => measure.operation.record(s, { ...metric, [ATTR.outcome]: outcome }));
    },
    storeCall(info: StoreCallInfo): TelemetrySpan {
      const metric: Attributes = {
        [ATTR.dbSystem]: dbSystem(info.store),
        [ATTR.dbOperation]: info.operation,
        [ATTR.dbNamespace]: info.namespace,
        [ATTR.store]: info.store,
      };
      const attributes: Attributes = { ...metric };
      if (info.keys !== undefined) attributes[ATTR.dbBatchSize] = info.keys;
      if (info.id !== undefined) attributes[ATTR.recordId] = info.id;
      const span = tracer.startSpan(`${info.operation} ${info.namespace}`, { kind: SpanKind.CLIENT, attributes });
      return measuredSpan(span, (s, outcome) => measure.store.record(s, { ...metric, [ATTR.outcome]: outcome }));
    },
    remoteKeyCall<T>(info: RemoteKeyCallInfo, pending: Promise<T>): Promise<T> {
      const attributes = { [ATTR.operation]: info.operation, [ATTR.kid]: info.kid };
      const span = tracer.startSpan(`${SPAN_PREFIX}remote_key.${info.operation}`, {
        kind: SpanKind.CLIENT,
        attributes,
        startTime: performance.timeOrigin + info.startTime,
      });
      const done = (error?: unknown) => {
        const outcome = error === undefined ? 'ok' : outcomeOf(error);
        span.setAttribute(ATTR.outcome, outcome);
        if (error !== undefined) {
          span.setAttribute(ATTR.errorType, outcome);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          measure.remoteKeyFailures.add(1, { ...attributes, [ATTR.errorType]: outcome });
        }
        span.end();
        measure.remoteKey.record((performance.now() - info.startTime) / 1000, {
          ...attributes,
          [ATTR.outcome]: outcome,
        });
      };
      return pending.then(
        (value) => {
          done();
          return value;
        },
        (error: unknown) => {
          done(error);
          throw error;
        },
      );
    },
    cache(info: CacheInfo): void {
      measure.cache.add(1, {
        [ATTR.cache]: info.cache,
        [ATTR.cacheResult]: info.result,
        [ATTR.namespace]: info.namespace,
      });
    },
    rotation(info: RotationInfo): void {
      measure.rotation.add(info.count, { [ATTR.rotationResult]: info.result, [ATTR.namespace]: info.namespace });
    },
    records(info: RecordsInfo): void {
      snapshot.set(info.namespace, info);
    },
  };
}
