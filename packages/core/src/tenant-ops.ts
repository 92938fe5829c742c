import { envelopeKid } from './envelope.js';
import { storeCall } from './errors.js';
import type { KeyEncryptionKeys } from './keyring.js';
import { type RotateHooks, type RotateOptions, type RotateReport, rotateStore } from './rotate.js';
import type { AnyCredentialSchema } from './schema.js';
import type { VaultStore } from './store.js';
import { idOfKey, isVaultId, iterate, recordPrefix } from './store-keys.js';
import type { Tenancy } from './tenancy.js';
import { TenantKeyring } from './tenant-keys.js';

/** What {@link Vault.shred} did. */
export interface ShredReport {
  readonly tenant: string;
  /** Whether the tenant had a key record, now destroyed. */
  readonly keyDestroyed: boolean;
  /** The tenant's records deleted after the key. */
  readonly deleted: number;
}

/** What {@link Vault.rotateTenant} did. */
export interface TenantRotateReport extends RotateReport {
  readonly tenant: string;
  /** Whether the tenant's previous keys were dropped: no record uses them any more. */
  readonly retired: boolean;
  /**
   * While `retired` is false: the earliest time the previous keys can go (every instance's
   * cache of them has expired by then). Run `rotateTenant` again after it.
   */
  readonly retireAfter: Date | undefined;
}

/** What the tenant operations need of the vault. */
export interface TenantOpsContext {
  readonly store: VaultStore;
  readonly namespace: string;
  readonly tenancy: Tenancy;
  readonly master: KeyEncryptionKeys;
  readonly schema: AnyCredentialSchema;
  readonly hooks: RotateHooks;
}

/** The store keys of `tenant`'s records (a record whose tenant cannot be read is not the tenant's). */
async function* recordsOf(ctx: TenantOpsContext, tenant: string): AsyncGenerator<[key: string, stored: string]> {
  for await (const [key, stored] of iterate(ctx.store)(recordPrefix(ctx.namespace))) {
    const id = idOfKey(ctx.namespace, key);
    if (isVaultId(id)) continue;
    let owner: string | undefined;
    try {
      owner = ctx.tenancy.tenantOfStored(stored, id);
    } catch {}
    if (owner === tenant) yield [key, stored];
  }
}

/** Destroys the tenant's key, then deletes its records. */
export async function shredTenant(ctx: TenantOpsContext, tenant: string): Promise<ShredReport> {
  iterate(ctx.store); // UNSUPPORTED before anything is destroyed
  const keyDestroyed = await ctx.tenancy.tenants.destroy(tenant);
  const keys: string[] = [];
  for await (const [key] of recordsOf(ctx, tenant)) keys.push(key);
  let deleted = 0;
  for (const key of keys) {
    if (await storeCall('delete', () => ctx.store.delete(key), idOfKey(ctx.namespace, key))) deleted += 1;
  }
  return { tenant, keyDestroyed, deleted };
}

/** Adds a key for the tenant (or resumes), rewraps its records, and retires the old keys once that is safe. */
export async function rotateTenantKeys(
  ctx: TenantOpsContext,
  tenant: string,
  options: RotateOptions = {},
): Promise<TenantRotateReport> {
  const { tenants } = ctx.tenancy;
  const dryRun = options.dryRun === true;
  const keys = dryRun
    ? ((await tenants.existing(tenant))?.withNewPrimary() ?? TenantKeyring.create(tenant))
    : await tenants.beginRotation(tenant);
  const started = Date.now();
  const route = ctx.tenancy.tenantRoute(tenant, keys);
  const report = await rotateStore(ctx.store, keys, ctx.namespace, options, ctx.schema, ctx.hooks, route);
  const base = { ...report, tenant, retired: false, retireAfter: undefined };
  if (dryRun || report.aborted || report.failed.length > 0 || keys.kids.length === 1) return base;
  const safeAt = keys.since + tenants.cacheTtlMs; // no instance writes under an old key after this
  if (started < safeAt) return { ...base, retireAfter: new Date(safeAt) };
  // The scan began after every cache of the old keys expired: check nothing is left on them.
  for await (const [, stored] of recordsOf(ctx, tenant)) {
    if (envelopeKid(stored) !== keys.primaryKid) return base;
  }
  await tenants.endRotation(tenant);
  return { ...base, retired: true };
}
