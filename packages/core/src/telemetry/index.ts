export { activeCheck } from './active.js';
export { inSpan, observedIteration } from './span.js';
export type {
  CacheInfo,
  OperationInfo,
  RecordsInfo,
  RemoteKeyCallInfo,
  RotationInfo,
  StoreCallInfo,
  StoreOperationName,
  TelemetrySpan,
  VaultOperationName,
  VaultTelemetry,
} from './types.js';
