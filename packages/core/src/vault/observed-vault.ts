import { isRecordLike } from '../errors/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import type { RotateOptions, RotateProgress } from '../rotation/index.js';
import {
  activeCheck,
  inSpan,
  observedIteration,
  type TelemetrySpan,
  type VaultOperationName,
  type VaultTelemetry,
} from '../telemetry/index.js';
import type { Vault } from './types.js';

/**
 * `vault` with each operation run inside a span of `telemetry` (its store and key calls become
 * the span's children), `status()` reporting its records per kid and `rotate`/`rotateTenant`
 * their progress. The same answers and errors. While `telemetry.active()` answers `false`, an
 * operation is the vault's own, called straight through: no span, no info built, no `async`
 * frame. `createVault` uses it only with telemetry.
 */
export function observedVault<S extends AnyCredentialSchema>(vault: Vault<S>, telemetry: VaultTelemetry): Vault<S> {
  const { namespace } = vault;
  const active = activeCheck(telemetry);
  const span = (operation: VaultOperationName, id?: unknown): TelemetrySpan =>
    telemetry.operation({
      operation,
      namespace,
      ...(telemetry.recordIds === true && typeof id === 'string' ? { id } : {}),
    });
  const progress = <O>(options: O): O => countedRotation(options, telemetry, namespace);
  // Each operation asks `active()` first and, while nothing records, returns the vault's own
  // call: the closures and the span exist only on the reporting path.
  return {
    ...vault,
    set: (id, input) => (active() ? inSpan(span('set', id), () => vault.set(id, input)) : vault.set(id, input)),
    setMany: (batch) => (active() ? inSpan(span('setMany'), () => vault.setMany(batch)) : vault.setMany(batch)),
    get: (id) => (active() ? inSpan(span('get', id), () => vault.get(id)) : vault.get(id)),
    getEntry: (id) => (active() ? inSpan(span('getEntry', id), () => vault.getEntry(id)) : vault.getEntry(id)),
    update: (id, updater, options) =>
      active()
        ? inSpan(span('update', id), () => vault.update(id, updater, options))
        : vault.update(id, updater, options),
    refresh: (id, refresher, options) =>
      active()
        ? inSpan(span('refresh', id), () => vault.refresh(id, refresher, options))
        : vault.refresh(id, refresher, options),
    findBy: (field, value) =>
      active() ? inSpan(span('findBy'), () => vault.findBy(field, value)) : vault.findBy(field, value),
    has: (id) => (active() ? inSpan(span('has', id), () => vault.has(id)) : vault.has(id)),
    delete: (id) => (active() ? inSpan(span('delete', id), () => vault.delete(id)) : vault.delete(id)),
    entries: (options) =>
      active() ? observedIteration(span('entries'), vault.entries(options)) : vault.entries(options),
    rotate: (options) =>
      active() ? inSpan(span('rotate'), () => vault.rotate(progress(options))) : vault.rotate(options),
    rotateTenant: (tenant, options) =>
      active()
        ? inSpan(span('rotateTenant'), () => vault.rotateTenant(tenant, progress(options)))
        : vault.rotateTenant(tenant, options),
    shred: (tenant) => (active() ? inSpan(span('shred'), () => vault.shred(tenant)) : vault.shred(tenant)),
    status: () =>
      active()
        ? inSpan(span('status'), async () => {
            const status = await vault.status();
            const { primaryKid, kids, notOnPrimary } = status;
            telemetry.records({ namespace, primaryKid, kids, notOnPrimary });
            return status;
          })
        : vault.status(),
    verify: (options) => (active() ? inSpan(span('verify'), () => vault.verify(options)) : vault.verify(options)),
    migrate: (options) => (active() ? inSpan(span('migrate'), () => vault.migrate(options)) : vault.migrate(options)),
  };
}

/**
 * Rotate options whose `onProgress` also reports to `telemetry` the records that reached each
 * result since the last call. Options the rotation will refuse are passed on as they are.
 */
function countedRotation<O>(options: O, telemetry: VaultTelemetry, namespace: string): O {
  if (options !== undefined && !isRecordLike(options)) return options;
  const given = (options as RotateOptions | undefined)?.onProgress;
  if (given !== undefined && typeof given !== 'function') return options;
  let last = { rewrapped: 0, current: 0, failed: 0, changed: 0 };
  const onProgress = (progress: RotateProgress) => {
    const now = {
      rewrapped: progress.rewrapped,
      current: progress.alreadyCurrent,
      failed: progress.failed.length,
      changed: progress.changedMeanwhile,
    };
    for (const result of ['rewrapped', 'current', 'failed', 'changed'] as const) {
      const count = now[result] - last[result];
      if (count > 0) telemetry.rotation({ namespace, result, count });
    }
    last = now;
    given?.(progress);
  };
  return { ...options, onProgress } as O;
}
