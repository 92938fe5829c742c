import { isVaultError, storeCall, VaultError } from '../errors/index.js';
import { envelopeKid, openRecord, sealRecord } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { VaultStore } from '../store/index.js';
import { recordKey } from '../store/index.js';
import { TENANT_RECORD_PREFIX, type TenantCustody, TenantKeyring } from './tenant-keyring.js';

/** Options of {@link Tenants}. */
export interface TenantsOptions {
  readonly store: VaultStore;
  readonly namespace: string;
  /** The vault's master keys. */
  readonly master: KeyEncryptionKeys;
  /** Who holds each tenant's key record (bring-your-own-key); absent: the vault's master keys for all. */
  readonly custody?: TenantCustody | undefined;
  /** How long a loaded tenant key is kept in memory, in ms. Default 60,000. */
  readonly cacheTtlMs?: number | undefined;
}

type Cached = { keyring: TenantKeyring; stored: string; until: number };

/**
 * The tenant key level between master keys and data keys: each tenant's keys are stored as an
 * envelope `<namespace>:~tenant:<tenant>` sealed under the master keyring (or the tenant's
 * own), loaded once and kept for `cacheTtlMs`. Destroying that record is crypto-shredding:
 * nothing wrapped under the tenant's keys opens again.
 */
export class Tenants {
  readonly #options: TenantsOptions;
  readonly #ttl: number;
  readonly #cache = new Map<string, Cached>();
  readonly #loading = new Map<string, Promise<Cached | undefined>>();
  /** Bumped by every write of a tenant's key record, so that a load begun before it does not cache what it read. */
  readonly #generation = new Map<string, number>();

  constructor(options: TenantsOptions) {
    this.#options = options;
    this.#ttl = options.cacheTtlMs ?? 60_000;
  }

  /** The namespace the tenant key records live in. */
  get namespace(): string {
    return this.#options.namespace;
  }

  /** How long a loaded tenant key is kept in memory, in ms: the longest an instance may go on writing under a replaced key. */
  get cacheTtlMs(): number {
    return this.#ttl;
  }

  /** The record id of `tenant`'s keys inside the namespace. */
  static recordId(tenant: string): string {
    return `${TENANT_RECORD_PREFIX}${tenant}`;
  }

  /**
   * The keys `tenant`'s key record is sealed under.
   * @throws VaultError `KEY_UNAVAILABLE` when `custody` answers neither `'master'` nor keys.
   */
  custodyOf(tenant: string): KeyEncryptionKeys {
    const { custody, master } = this.#options;
    if (custody === undefined) return master;
    const keys = custody(tenant);
    if (keys === 'master') return master;
    if (keys !== null && typeof keys === 'object' && typeof keys.unwrap === 'function') return keys;
    throw new VaultError('KEY_UNAVAILABLE', `tenantCustody named no keys for tenant "${tenant}"`, {
      path: 'tenantCustody',
    });
  }

  /** Whether `tenant`'s key record is under the vault's master keys (not the tenant's own). */
  isMasterCustody(tenant: string): boolean {
    return this.#options.custody === undefined || this.#options.custody(tenant) === 'master';
  }

  /**
   * The tenant's keyring for reading `kid` (reloaded when the cached one lacks it).
   * @throws VaultError `TENANT_KEY_GONE` when the tenant's key record is absent (shredded) or
   * sealed under a master key no keyring holds any more (a backup from before a shred).
   */
  async forRead(tenant: string, kid?: string): Promise<TenantKeyring> {
    let cached = await this.#get(tenant);
    // A kid this instance has not seen: another instance rotated the tenant's key meanwhile.
    if (cached !== undefined && kid !== undefined && !cached.keyring.has(kid)) cached = await this.#get(tenant, true);
    if (cached === undefined) throw gone(tenant, 'its key record does not exist (shredded, or never written)');
    return cached.keyring;
  }

  /** The tenant's keyring if it has one; never creates it. */
  async existing(tenant: string): Promise<TenantKeyring | undefined> {
    return (await this.#get(tenant))?.keyring;
  }

  /** The tenant's keyring for writing: made and stored (compare-and-set) on the tenant's first write. */
  async forWrite(tenant: string): Promise<TenantKeyring> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cached = await this.#get(tenant);
      if (cached !== undefined) return cached.keyring;
      const fresh = TenantKeyring.create(tenant);
      if (await this.#replace(tenant, undefined, fresh)) return fresh;
      fresh.wipe(); // another instance made it first: load theirs
    }
    throw new VaultError('CONFLICT', `could not create the key of tenant "${tenant}"`);
  }

  /**
   * Adds a fresh primary key to the tenant's keys unless a rotation is already under way
   * (more than one key held: it resumes). Returns the keyring to rewrap to.
   */
  async beginRotation(tenant: string): Promise<TenantKeyring> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cached = await this.#get(tenant, true);
      if (cached === undefined) throw gone(tenant, 'its key record does not exist');
      if (cached.keyring.kids.length > 1) return cached.keyring;
      const next = cached.keyring.withNewPrimary();
      if (await this.#replace(tenant, cached.stored, next)) return next;
      next.wipe();
    }
    throw new VaultError('CONFLICT', `could not add a key for tenant "${tenant}"`);
  }

  /**
   * Drops every key but `primaryKid` once no record is wrapped under them; does nothing when
   * another rotation has made a different key primary meanwhile (its checks are not ours).
   */
  async endRotation(tenant: string, primaryKid: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cached = await this.#get(tenant, true);
      if (cached === undefined || cached.keyring.kids.length === 1) return;
      if (cached.keyring.primaryKid !== primaryKid) return;
      if (await this.#replace(tenant, cached.stored, cached.keyring.withoutOldKeys())) return;
    }
    throw new VaultError('CONFLICT', `could not retire the old keys of tenant "${tenant}"`);
  }

  /** Deletes the tenant's key record (crypto-shredding) and wipes it from memory; whether it existed. */
  async destroy(tenant: string): Promise<boolean> {
    const { store, namespace } = this.#options;
    this.forget(tenant);
    const existed = await storeCall('delete', () => store.delete(recordKey(namespace, Tenants.recordId(tenant))));
    this.#generation.set(tenant, (this.#generation.get(tenant) ?? 0) + 1); // a load under way caches nothing
    this.forget(tenant);
    return existed;
  }

  /**
   * Drops the tenant's keys from memory, zeroed; the next use loads them again. An operation
   * still holding them fails with `UNKNOWN_KEY` rather than use a zeroed key.
   */
  forget(tenant: string): void {
    this.#cache.get(tenant)?.keyring.wipe();
    this.#cache.delete(tenant);
  }

  /** Forgets every tenant. */
  clear(): void {
    for (const tenant of [...this.#cache.keys()]) this.forget(tenant);
  }

  async #get(tenant: string, fresh = false): Promise<Cached | undefined> {
    const hit = this.#cache.get(tenant);
    if (hit !== undefined && !fresh && hit.until > Date.now()) return hit;
    let loading = this.#loading.get(tenant);
    if (loading === undefined) {
      loading = this.#load(tenant).finally(() => this.#loading.delete(tenant));
      this.#loading.set(tenant, loading);
    }
    return loading;
  }

  async #load(tenant: string): Promise<Cached | undefined> {
    const { store, namespace } = this.#options;
    const id = Tenants.recordId(tenant);
    const generation = this.#generation.get(tenant) ?? 0;
    const stored = await storeCall('get', () => store.get(recordKey(namespace, id)), id);
    if ((this.#generation.get(tenant) ?? 0) !== generation) return this.#load(tenant); // written meanwhile: read again
    this.#cache.delete(tenant); // not wiped: an operation under way may still hold it
    if (stored === undefined) return undefined;
    const custody = this.custodyOf(tenant);
    const kid = envelopeKid(stored);
    if (kid !== undefined && !custody.has(kid)) {
      throw gone(tenant, `its key record is sealed under master key "${kid}", which the keyring no longer holds`);
    }
    const { secret } = await openRecord(custody, namespace, id, stored);
    const entry = { keyring: TenantKeyring.parse(tenant, secret), stored, until: Date.now() + this.#ttl };
    this.#cache.set(tenant, entry);
    return entry;
  }

  async #replace(tenant: string, expected: string | undefined, next: TenantKeyring): Promise<boolean> {
    const { store, namespace } = this.#options;
    const id = Tenants.recordId(tenant);
    const envelope = await sealRecord(this.custodyOf(tenant), namespace, id, {
      readable: '{}',
      secret: next.toSecretJson(),
    });
    const key = recordKey(namespace, id);
    const cas = store.compareAndSet;
    const ok =
      cas === undefined
        ? await storeCall('set', () => store.set(key, envelope), id).then(() => true)
        : await storeCall('compareAndSet', () => cas.call(store, key, expected, envelope), id);
    if (ok) {
      this.#generation.set(tenant, (this.#generation.get(tenant) ?? 0) + 1);
      this.#cache.set(tenant, { keyring: next, stored: envelope, until: Date.now() + this.#ttl });
    }
    return ok;
  }
}

function gone(tenant: string, why: string): VaultError {
  return new VaultError('TENANT_KEY_GONE', `the key of tenant "${tenant}" is gone: ${why}`);
}

/** Whether an error means a tenant's key is gone (for callers that treat shredded data as absent). */
export function isTenantKeyGone(error: unknown): boolean {
  return isVaultError(error, 'TENANT_KEY_GONE');
}
