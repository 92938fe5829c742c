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
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ATTR, dbSystem, METRIC, outcomeOf, SCOPE, SCOPE_VERSION, SPAN_PREFIX } from './names.js';
import { instrumentsOf, tracesLive } from './providers.js';

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

/** Records a call's duration in seconds under its outcome. */
type Recorder = (seconds: number, outcome: string) => void;

/** What a vault runs its work in while nothing records: no span, no clock, no context switch. */
const UNOBSERVED: TelemetrySpan = {
  run: (work) => work(),
  end() {},
};

/**
 * A span that measures itself: ended once with its outcome (the `VaultError` code, `ok`), its
 * duration given to `record` (if any) with the outcome.
 */
function measuredSpan(span: Span, record: Recorder | undefined): TelemetrySpan {
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
      record?.((performance.now() - started) / 1000, outcome);
    },
  };
}

/** A call timed for its metric only (no tracer provider records): run as is, ended once with its outcome. */
function timedCall(record: Recorder): TelemetrySpan {
  const started = performance.now();
  let ended = false;
  return {
    run: (work) => work(),
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      record((performance.now() - started) / 1000, error === undefined ? 'ok' : outcomeOf(error));
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
 * Its `active()` is `false` while neither a tracer provider nor a meter provider records (no SDK
 * registered, none given): the vault then calls straight through, building nothing for
 * telemetry. It is asked at each call, so an SDK registered later gets spans and metrics from
 * then on.
 * @example
 * ```ts
 * const vault = createVault({ keyring, schema: connectionSchema, store, telemetry: openTelemetry() })
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): VaultTelemetry {
  const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer: Tracer = tracerProvider.getTracer(SCOPE, SCOPE_VERSION);
  // With no SDK registered, the API's tracer and meter are no-ops: a call then builds no span,
  // no attributes, no context, and reads no clock. Both are asked at each call, so an SDK
  // registered later gets the calls from then on.
  const tracing = tracesLive(tracerProvider);
  const snapshot = new Map<string, RecordsInfo>();
  const measures = instrumentsOf(options.meterProvider, (meter) => instruments(meter, snapshot));
  measures();
  return {
    recordIds: options.recordIds === true,
    // Asked by the vault before each call: while false it calls straight through and asks for
    // no span, so the no-SDK case costs this check and nothing else.
    active: () => tracing() || measures() !== undefined,
    operation(info: OperationInfo): TelemetrySpan {
      const measure = measures();
      const record: Recorder | undefined =
        measure === undefined
          ? undefined
          : (s, outcome) =>
              measure.operation.record(s, {
                [ATTR.operation]: info.operation,
                [ATTR.namespace]: info.namespace,
                [ATTR.outcome]: outcome,
              });
      if (!tracing()) return record === undefined ? UNOBSERVED : timedCall(record);
      const attributes: Attributes = { [ATTR.operation]: info.operation, [ATTR.namespace]: info.namespace };
      if (info.id !== undefined) attributes[ATTR.recordId] = info.id;
      if (info.records !== undefined) attributes[ATTR.records] = info.records;
      const span = tracer.startSpan(`${SPAN_PREFIX}${info.operation}`, { kind: SpanKind.INTERNAL, attributes });
      return measuredSpan(span, record);
    },
    storeCall(info: StoreCallInfo): TelemetrySpan {
      const measure = measures();
      const traced = tracing();
      if (measure === undefined && !traced) return UNOBSERVED;
      const metric: Attributes = {
        [ATTR.dbSystem]: dbSystem(info.store),
        [ATTR.dbOperation]: info.operation,
        [ATTR.dbNamespace]: info.namespace,
        [ATTR.store]: info.store,
      };
      const record: Recorder | undefined =
        measure === undefined
          ? undefined
          : (s, outcome) => measure.store.record(s, { ...metric, [ATTR.outcome]: outcome });
      if (!traced) return timedCall(record as Recorder);
      const attributes: Attributes = { ...metric };
      if (info.keys !== undefined) attributes[ATTR.dbBatchSize] = info.keys;
      if (info.id !== undefined) attributes[ATTR.recordId] = info.id;
      const span = tracer.startSpan(`${info.operation} ${info.namespace}`, { kind: SpanKind.CLIENT, attributes });
      return measuredSpan(span, record);
    },
    remoteKeyCall<T>(info: RemoteKeyCallInfo, pending: Promise<T>): Promise<T> {
      const measure = measures();
      const traced = tracing();
      if (measure === undefined && !traced) return pending;
      const attributes = { [ATTR.operation]: info.operation, [ATTR.kid]: info.kid };
      const span = traced
        ? tracer.startSpan(`${SPAN_PREFIX}remote_key.${info.operation}`, {
            kind: SpanKind.CLIENT,
            attributes,
            startTime: performance.timeOrigin + info.startTime,
          })
        : undefined;
      const done = (error?: unknown) => {
        const outcome = error === undefined ? 'ok' : outcomeOf(error);
        if (span !== undefined) {
          span.setAttribute(ATTR.outcome, outcome);
          if (error !== undefined) {
            span.setAttribute(ATTR.errorType, outcome);
            span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          }
          span.end();
        }
        if (measure === undefined) return;
        if (error !== undefined) measure.remoteKeyFailures.add(1, { ...attributes, [ATTR.errorType]: outcome });
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
      measures()?.cache.add(1, {
        [ATTR.cache]: info.cache,
        [ATTR.cacheResult]: info.result,
        [ATTR.namespace]: info.namespace,
      });
    },
    rotation(info: RotationInfo): void {
      measures()?.rotation.add(info.count, {
        [ATTR.rotationResult]: info.result,
        [ATTR.namespace]: info.namespace,
      });
    },
    records(info: RecordsInfo): void {
      snapshot.set(info.namespace, info);
    },
  };
}
