import { invalidArgument } from '../errors/index.js';
import type { VaultTelemetry } from './types.js';

/** The check of a telemetry without `active`: it always records. */
const ALWAYS = (): boolean => true;

/**
 * What the vault's wrappers ask before each call they would report: `telemetry.active()` where
 * it has one (only `false` turns a call's report off), else always `true`. Made once per
 * wrapper; the answer is asked anew at every call.
 * @throws VaultError `INVALID_ARGUMENT` (path `telemetry.active`) for an `active` that is not a function.
 */
export function activeCheck(telemetry: VaultTelemetry): () => boolean {
  const { active } = telemetry;
  if (active === undefined) return ALWAYS;
  if (typeof active !== 'function') throw invalidArgument('telemetry.active', 'a function returning a boolean');
  return () => active.call(telemetry) !== false;
}
