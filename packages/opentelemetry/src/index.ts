export { METRIC } from './names.js';
export { type OpenTelemetryOptions, openTelemetry } from './open-telemetry.js';
