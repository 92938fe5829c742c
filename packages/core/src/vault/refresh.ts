import { isVaultError, VaultError } from '../errors/index.js';
import { canonicalJson } from '../format/index.js';
import type { AnyCredentialSchema, InputOf, OutputOf } from '../records/index.js';
import { needsRefresh } from '../records/index.js';
import { type AcquireLease, type Lease, leaseFor, leaseKey } from '../store/index.js';
import type { StoredRecord, VaultContext } from './context.js';
import { read } from './read.js';
import type { Refresher, RefreshOptions } from './types.js';
import { putIfUnchanged, seal } from './write.js';

/** What refresh needs from the vault. */
export interface RefreshContext<S extends AnyCredentialSchema> {
  read(id: string): Promise<StoredRecord<S> | undefined>;
  /** Validates, seals and writes `next` if the stored value is still `before.stored`; the record written, or `undefined` on a lost race. */
  replace(id: string, before: StoredRecord<S>, next: InputOf<S>): Promise<OutputOf<S> | undefined>;
  readonly lease: AcquireLease | undefined;
  leaseName(id: string): string;
  emit(type: 'refresh' | 'refreshFailed', id: string, code?: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_MERGES = 10;

function fresh<S extends AnyCredentialSchema>(entry: StoredRecord<S>, skewMs: number | undefined): boolean {
  return !needsRefresh(entry.record as object, {
    storedAt: entry.storedAt,
    ...(skewMs === undefined ? {} : { skewMs }),
  });
}

/** Fields of `next` that differ from `before`, to apply again on a newer version. */
function changes(before: object, next: object): Record<string, unknown> {
  const b = before as Record<string, unknown>;
  return Object.fromEntries(Object.entries(next).filter(([k, v]) => canonicalJson(v) !== canonicalJson(b[k])));
}

/** Takes the cross-process lease, or returns the record another process refreshed meanwhile. */
async function acquire<S extends AnyCredentialSchema>(
  ctx: RefreshContext<S>,
  id: string,
  seen: StoredRecord<S>,
  options: RefreshOptions,
): Promise<Lease | StoredRecord<S> | undefined> {
  if (ctx.lease === undefined) return undefined;
  const ttl = options.leaseTtlMs ?? 30_000;
  const deadline = Date.now() + (options.waitMs ?? ttl + 5000);
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    const lease = await ctx.lease(ctx.leaseName(id), ttl);
    if (lease !== undefined) return lease;
    if (Date.now() > deadline) throw new VaultError('CONFLICT', 'timed out waiting for another refresh', { id });
    await sleep(wait);
    const now = await ctx.read(id);
    if (now === undefined) throw new VaultError('NOT_FOUND', 'no record to refresh', { id });
    if (now.stored !== seen.stored && fresh(now, options.skewMs)) return now;
  }
}

/** One refresh, for the single-flight wrapper {@link refresh}. */
export async function refreshOnce<S extends AnyCredentialSchema>(
  ctx: RefreshContext<S>,
  id: string,
  refresher: Refresher<S>,
  options: RefreshOptions,
): Promise<OutputOf<S>> {
  const seen = await ctx.read(id);
  if (seen === undefined) throw new VaultError('NOT_FOUND', 'no record to refresh', { id });
  if (options.force !== true && fresh(seen, options.skewMs)) return seen.record;
  const held = await acquire(ctx, id, seen, options);
  if (held !== undefined && 'stored' in held) return held.record;
  try {
    let current = (await ctx.read(id)) as StoredRecord<S> | undefined; // again, now that the lease is ours
    if (current === undefined) throw new VaultError('NOT_FOUND', 'no record to refresh', { id });
    if (current.stored !== seen.stored && fresh(current, options.skewMs)) return current.record;
    let next: InputOf<S>;
    try {
      next = await refresher(current.record);
    } catch (cause) {
      ctx.emit('refreshFailed', id, 'REFRESH_FAILED');
      throw new VaultError('REFRESH_FAILED', 'the refresher failed; the record is unchanged', { id, cause });
    }
    const base = current.record as object;
    for (let attempt = 0; attempt < MAX_MERGES; attempt++) {
      const written = await ctx.replace(id, current, next);
      if (written !== undefined) {
        ctx.emit('refresh', id);
        return written;
      }
      const latest: StoredRecord<S> | undefined = await ctx.read(id); // the application wrote meanwhile
      if (latest === undefined) throw new VaultError('NOT_FOUND', 'the record was deleted during the refresh', { id });
      next = { ...(latest.record as object), ...changes(base, next as object) } as InputOf<S>;
      current = latest;
    }
    throw new VaultError('CONFLICT', 'the record kept changing during the refresh', { id });
  } catch (error) {
    if (isVaultError(error) && error.code !== 'REFRESH_FAILED') ctx.emit('refreshFailed', id, error.code);
    throw error;
  } finally {
    if (held !== undefined) await (held as Lease).release().catch(() => false);
  }
}

/** {@link Vault.refresh}: one refresh of a record at a time in this process; later callers share it. */
export function refresh<S extends AnyCredentialSchema>(
  vault: VaultContext<S>,
  id: string,
  refresher: Refresher<S>,
  options: RefreshOptions = {},
): Promise<OutputOf<S>> {
  const { flights } = vault; // the id: checked by the facade
  const inFlight = flights.get(id);
  if (inFlight !== undefined) return inFlight;
  const flight = refreshOnce(refreshContext(vault), id, refresher, options).finally(() => flights.delete(id));
  flights.set(id, flight);
  return flight;
}

/** What refresh needs, from a vault's own read, seal and compare-and-set. */
function refreshContext<S extends AnyCredentialSchema>(vault: VaultContext<S>): RefreshContext<S> {
  const { store, namespace, keyring } = vault;
  return {
    read: (id) => read(vault, id),
    async replace(id, before, next) {
      const sealed = await seal(vault, id, next);
      return (await putIfUnchanged(vault, id, before, sealed)) ? sealed.record : undefined;
    },
    lease: leaseFor(store),
    leaseName: (id) => leaseKey(namespace, 'refresh', id),
    emit: (type, id, code) => vault.emit(type, id, keyring.primaryKid, code === undefined ? {} : { code }),
  };
}
