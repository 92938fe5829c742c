import { storeCall, VaultError } from '../errors/index.js';
import { envelopeKid } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import type { RotateHooks } from '../rotation/index.js';
import { rotateStore } from '../rotation/index.js';
import type { VaultStore } from '../store/index.js';
import { idOfKey, indexPrefix, isVaultId, iterate, recordPrefix } from '../store/index.js';
import type { Tenancy } from '../tenants/index.js';
import { TenantKeyring } from '../tenants/index.js';
import type { VaultContext } from './context.js';
import { MAX_TENANT_CACHE_TTL_MS } from './options.js';
import type { ShredReport, TenantRotateOptions, TenantRotateReport } from './types.js';

/** Added to the default retirement wait for writes in flight and clock skew between hosts. */
export const RETIRE_GRACE_MS: number = 60_000;

/** What the tenant operations need of the vault. */
export interface TenantOpsContext {
  readonly store: VaultStore;
  readonly namespace: string;
  readonly tenancy: Tenancy;
  readonly master: KeyEncryptionKeys;
  readonly schema: AnyCredentialSchema;
  readonly hooks: RotateHooks;
}

/**
 * The tenant operations' view of a vault.
 * @throws VaultError `UNSUPPORTED` for a vault without tenant keys.
 */
export function tenantOps<S extends AnyCredentialSchema>(vault: VaultContext<S>): TenantOpsContext {
  const { store, namespace, tenancy, keyring, schema, rotateHooks } = vault;
  if (tenancy === undefined)
    throw new VaultError('UNSUPPORTED', 'this vault has no tenant keys: createVault({ tenant })');
  return { store, namespace, tenancy, master: keyring, schema, hooks: rotateHooks };
}

/** The store keys of `tenant`'s records (a record whose tenant cannot be read is not the tenant's). */
async function* recordsOf(ctx: TenantOpsContext, tenant: string): AsyncGenerator<[key: string, stored: string]> {
  for await (const [key, stored] of iterate(ctx.store)(recordPrefix(ctx.namespace))) {
    const id = idOfKey(ctx.namespace, key);
    if (isVaultId(id)) continue;
    if (ownerOf(ctx, stored, id) === tenant) yield [key, stored];
  }
}

/**
 * Finds the tenant's records, destroys its key, deletes the records, then the blind-index
 * entries that name them. The scan comes first, so a store that fails to iterate destroys
 * nothing (a record the tenant wrote before the vault had tenants is under the master key and
 * must be deleted, not shredded). Each delete is a compare-and-set against the value scanned
 * (tenant vaults require it): a record rewritten since is read again and deleted only if it is
 * still the tenant's, so a record rewritten for another tenant during the scan is left alone.
 */
export async function shredTenant(ctx: TenantOpsContext, tenant: string): Promise<ShredReport> {
  const { store, namespace } = ctx;
  const scanned: [key: string, stored: string][] = [];
  for await (const entry of recordsOf(ctx, tenant)) scanned.push(entry);
  const keyDestroyed = await ctx.tenancy.tenants.destroy(tenant);
  const cas = store.compareAndSet as NonNullable<VaultStore['compareAndSet']>; // tenant vaults require it
  const ids = new Set<string>();
  for (const [key, stored] of scanned) {
    const id = idOfKey(namespace, key);
    if (await deleteIfTenants(ctx, cas, key, stored, tenant)) ids.add(id);
  }
  // Index entries hold an HMAC of a secret and an id: remove those of the shredded records.
  const stale: string[] = [];
  for await (const [key, id] of iterate(store)(indexPrefix(namespace))) if (ids.has(id)) stale.push(key);
  for (const key of stale) {
    const id = (await storeCall('get', () => store.get(key))) ?? '';
    if (ids.has(id)) await storeCall('index delete', () => cas.call(store, key, id, undefined));
  }
  return { tenant, keyDestroyed, deleted: ids.size };
}

/** How many times a shred re-reads a record of the tenant that keeps changing before it leaves it. */
const SHRED_ATTEMPTS = 5;

/** Deletes the record at `key` by compare-and-set while it still belongs to `tenant`; whether it did. */
async function deleteIfTenants(
  ctx: TenantOpsContext,
  cas: NonNullable<VaultStore['compareAndSet']>,
  key: string,
  scanned: string,
  tenant: string,
): Promise<boolean> {
  const { store, namespace } = ctx;
  const id = idOfKey(namespace, key);
  let stored: string | undefined = scanned;
  for (let attempt = 0; attempt < SHRED_ATTEMPTS && stored !== undefined; attempt++) {
    const expected = stored;
    if (await storeCall('delete', () => cas.call(store, key, expected, undefined), id)) return true;
    stored = await storeCall('get', () => store.get(key), id);
    if (stored !== undefined && ownerOf(ctx, stored, id) !== tenant) return false; // rewritten for another tenant
  }
  return false;
}

/** The tenant a stored record names, or `undefined` when it names none. */
function ownerOf(ctx: TenantOpsContext, stored: string, id: string): string | undefined {
  try {
    return ctx.tenancy.tenantOfStored(stored, id);
  } catch {
    return undefined;
  }
}

/** Adds a key for the tenant (or resumes), rewraps its records, and retires the old keys once that is safe. */
export async function rotateTenantKeys(
  ctx: TenantOpsContext,
  tenant: string,
  options: TenantRotateOptions = {},
): Promise<TenantRotateReport> {
  const { tenants } = ctx.tenancy;
  const dryRun = options.dryRun === true;
  const keys = dryRun
    ? ((await tenants.existing(tenant))?.withNewPrimary() ?? TenantKeyring.create(tenant))
    : await tenants.beginRotation(tenant);
  const started = Date.now();
  const route = ctx.tenancy.tenantRoute(tenant, keys);
  const report = await rotateStore(ctx.store, keys, ctx.namespace, options, ctx.schema, ctx.hooks, route).finally(
    () => dryRun && keys.wipe(), // a dry run's keys were never stored
  );
  const base = { ...report, tenant, retired: false, retireAfter: undefined };
  if (dryRun || report.aborted || report.failed.length > 0 || keys.kids.length === 1) return base;
  // No instance writes under an old key after this: every vault caches tenant keys for at most
  // MAX_TENANT_CACHE_TTL_MS (or the shorter bound the caller vouches for), plus a grace period
  // for writes in flight and clock skew between hosts.
  const bound = options.instancesCacheTtlMs ?? MAX_TENANT_CACHE_TTL_MS + RETIRE_GRACE_MS;
  const safeAt = keys.since + bound;
  if (started < safeAt) return { ...base, retireAfter: new Date(safeAt) };
  // The scan began after every cache of the old keys expired: check nothing is left on them.
  for await (const [, stored] of recordsOf(ctx, tenant)) {
    if (envelopeKid(stored) !== keys.primaryKid) return base;
  }
  await tenants.endRotation(tenant, keys.primaryKid);
  return { ...base, retired: true };
}
