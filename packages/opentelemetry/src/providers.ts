import {
  createNoopMeter,
  type Meter,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  type TracerProvider,
} from '@opentelemetry/api';
import { SCOPE, SCOPE_VERSION } from './names.js';

/** The no-op tracer provider a `ProxyTracerProvider` of this API delegates to while no SDK is registered. */
const NOOP_TRACER_PROVIDER: TracerProvider = new ProxyTracerProvider().getDelegate();
/** The meter every no-op meter provider of this API hands out. */
const NOOP_METER: Meter = createNoopMeter();

/**
 * Tells, at each call, whether spans started from `provider` can go anywhere: `false` while it is
 * the API's proxy with no SDK behind it (the global tracer provider before `NodeSDK` or
 * `trace.setGlobalTracerProvider` registers one), or the no-op provider itself. Once the proxy has
 * a delegate it stays `true` (the proxy's tracers keep their delegate too). A provider it cannot
 * see through (another copy of the API, an SDK) counts as recording.
 */
export function tracesLive(provider: TracerProvider): () => boolean {
  if (provider === NOOP_TRACER_PROVIDER) return () => false;
  if (!(provider instanceof ProxyTracerProvider)) return () => true;
  let live = false;
  return () => {
    if (!live) live = provider.getDelegate() !== NOOP_TRACER_PROVIDER;
    return live;
  };
}

/**
 * The instruments `make` builds on a meter of `given`, or, without `given`, of the global meter
 * provider as it is at each call (the metrics API has no proxy: this is what lets an SDK
 * registered after `openTelemetry()` get the metrics). `undefined` while the meter is the API's
 * no-op meter: nothing to record, nothing to build.
 */
export function instrumentsOf<T>(given: MeterProvider | undefined, make: (meter: Meter) => T): () => T | undefined {
  const build = (provider: MeterProvider): T | undefined => {
    const meter = provider.getMeter(SCOPE, SCOPE_VERSION);
    return meter === NOOP_METER ? undefined : make(meter);
  };
  if (given !== undefined) {
    const made = build(given);
    return () => made;
  }
  // Each provider's instruments built once, should the global provider change back and forth.
  const built = new WeakMap<MeterProvider, T | undefined>();
  let provider: MeterProvider | undefined;
  let made: T | undefined;
  return () => {
    const now = metrics.getMeterProvider();
    if (now !== provider) {
      provider = now;
      made = built.has(now) ? built.get(now) : build(now);
      built.set(now, made);
    }
    return made;
  };
}
