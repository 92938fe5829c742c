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
  /** Most tenants whose keys are held at once; the least recently used leaves first. Default {@link TENANT_CACHE_MAX_ENTRIES} (10,000). */
  readonly maxEntries?: number | undefined;
  /**
   * How long a keyring that left the cache (expired, evicted, replaced) may go unused before it
   * is wiped, in ms: the longest an operation may hold it between two uses. Default
   * {@link TENANT_KEY_HOLD_MS} (60,000).
   */
  readonly holdMs?: number | undefined;
}

/** The most tenants whose keys one instance holds at once, by default. */
export const TENANT_CACHE_MAX_ENTRIES = 10_000;

/** How long a dropped tenant keyring may go unused before it is wiped, by default, in ms. */
export const TENANT_KEY_HOLD_MS = 60_000;

type Cached = { keyring: TenantKeyring; stored: string; until: number };

/**
 * `value`, or `fallback` when absent, if it is a whole number of at least `min`.
 * @throws VaultError `INVALID_ARGUMENT` naming `path` otherwise.
 */
function wholeNumber(path: string, value: number | undefined, fallback: number, min: number): number {
  const checked = value ?? fallback;
  if (!Number.isSafeInteger(checked) || checked < min) {
    throw new VaultError('INVALID_ARGUMENT', `${path} must be a whole number of at least ${min}`, { path });
  }
  return checked;
}

/**
 * The tenant key level between master keys and data keys: each tenant's keys are stored as an
 * envelope `<namespace>:~tenant:<tenant>` sealed under the master keyring (or the tenant's
 * own), loaded once and kept for `cacheTtlMs`. Destroying that record is crypto-shredding:
 * nothing wrapped under the tenant's keys opens again.
 *
 * Key bytes in memory: at most `maxEntries` tenants are cached (least recently used out first);
 * a sweep (an unref'd timer, running only while something is held) drops expired entries. A
 * keyring that leaves the cache (expired, evicted, or replaced by a rotation) is wiped as soon
 * as no operation has used it for `holdMs`; {@link destroy} wipes every keyring of the tenant
 * at once, and {@link clear} every keyring.
 */
export class Tenants {
  readonly #options: TenantsOptions;
  readonly #ttl: number;
  readonly #max: number;
  readonly #holdMs: number;
  /** Tenant keys held, least recently used first. */
  readonly #cache = new Map<string, Cached>();
  /** Keyrings that left the cache, waiting for the operations that may still hold them. */
  readonly #retired = new Set<TenantKeyring>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #loading = new Map<string, Promise<Cached | undefined>>();
  /** Bumped by every write of a tenant's key record, so that a load begun before it does not cache what it read. */
  readonly #generation = new Map<string, number>();

  /**
   * @throws VaultError `INVALID_ARGUMENT` for a `cacheTtlMs` or `holdMs` that is not a whole
   * number of at least 0, or a `maxEntries` that is not a positive whole number.
   */
  constructor(options: TenantsOptions) {
    this.#options = options;
    this.#ttl = wholeNumber('tenantCacheTtlMs', options.cacheTtlMs, 60_000, 0);
    this.#max = wholeNumber('maxEntries', options.maxEntries, TENANT_CACHE_MAX_ENTRIES, 1);
    this.#holdMs = wholeNumber('holdMs', options.holdMs, TENANT_KEY_HOLD_MS, 0);
  }

  /** The most tenants whose keys are held at once. */
  get maxEntries(): number {
    return this.#max;
  }

  /** How many tenants' keys are cached, and how many dropped keyrings wait to be wiped. */
  sizes(): { cached: number; retired: number } {
    return { cached: this.#cache.size, retired: this.#retired.size };
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
      const next = cached.keyring.withoutOldKeys();
      if (await this.#replace(tenant, cached.stored, next)) return;
      next.wipe();
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
   * Drops the tenant's keys from memory at once, zeroed, the keyrings it replaced included; the
   * next use loads them again. An operation still holding them fails with `UNKNOWN_KEY` rather
   * than use a zeroed key.
   */
  forget(tenant: string): void {
    this.#cache.get(tenant)?.keyring.wipe();
    this.#cache.delete(tenant);
    for (const keyring of this.#retired) {
      if (keyring.tenant !== tenant) continue;
      keyring.wipe();
      this.#retired.delete(keyring);
    }
  }

  /** Forgets every tenant and stops the sweep. */
  clear(): void {
    for (const { keyring } of this.#cache.values()) keyring.wipe();
    for (const keyring of this.#retired) keyring.wipe();
    this.#cache.clear();
    this.#retired.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #get(tenant: string, fresh = false): Promise<Cached | undefined> {
    const hit = this.#cache.get(tenant);
    if (hit !== undefined && !fresh && hit.until > Date.now()) {
      this.#cache.delete(tenant);
      this.#cache.set(tenant, hit); // most recently used
      hit.keyring.touch();
      return hit;
    }
    let loading = this.#loading.get(tenant);
    if (loading === undefined) {
      loading = this.#load(tenant).finally(() => this.#loading.delete(tenant));
      this.#loading.set(tenant, loading);
    }
    const loaded = await loading;
    loaded?.keyring.touch();
    return loaded;
  }

  /** Holds `entry` as the tenant's keys (most recently used); what it replaces, and what the bound evicts, is retired. */
  #keep(tenant: string, entry: Cached): void {
    const previous = this.#cache.get(tenant);
    this.#cache.delete(tenant);
    this.#cache.set(tenant, entry);
    if (previous !== undefined && previous.keyring !== entry.keyring) this.#retire(previous.keyring);
    while (this.#cache.size > this.#max) {
      const [oldest, { keyring }] = this.#cache.entries().next().value as [string, Cached];
      this.#cache.delete(oldest);
      this.#retire(keyring);
    }
    this.#arm();
  }

  /** Wipes a keyring that left the cache now if no operation used it for the hold time, else later. */
  #retire(keyring: TenantKeyring): void {
    if (Date.now() - keyring.usedAt >= this.#holdMs) keyring.wipe();
    else this.#retired.add(keyring);
  }

  /** Drops expired entries and wipes the retired keyrings nobody used for the hold time. */
  #sweep(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const [tenant, entry] of this.#cache) {
      if (entry.until > now) continue;
      this.#cache.delete(tenant);
      this.#retire(entry.keyring);
    }
    for (const keyring of this.#retired) {
      if (keyring.wiped || now - keyring.usedAt >= this.#holdMs) {
        keyring.wipe();
        this.#retired.delete(keyring);
      }
    }
    this.#arm();
  }

  /** Starts the sweep timer while anything is held; it does not keep the process alive. */
  #arm(): void {
    if (this.#timer !== undefined || (this.#cache.size === 0 && this.#retired.size === 0)) return;
    const period = Math.max(
      10,
      Math.ceil(Math.min(this.#ttl === 0 ? this.#holdMs : this.#ttl, this.#holdMs || this.#ttl) / 2),
    );
    this.#timer = setTimeout(() => this.#sweep(), Math.min(period, 2 ** 31 - 1));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async #load(tenant: string): Promise<Cached | undefined> {
    const { store, namespace } = this.#options;
    const id = Tenants.recordId(tenant);
    const generation = this.#generation.get(tenant) ?? 0;
    const changed = () => (this.#generation.get(tenant) ?? 0) !== generation;
    const stored = await storeCall('get', () => store.get(recordKey(namespace, id)), id);
    if (changed()) return this.#load(tenant); // written meanwhile: read again
    const previous = this.#cache.get(tenant);
    if (stored === undefined) {
      if (previous !== undefined) this.forget(tenant); // shredded elsewhere: wipe at once
      return undefined;
    }
    // The same record as the one held: keep its keyring (no second copy of the key bytes).
    if (previous !== undefined && previous.stored === stored && !previous.keyring.wiped) {
      const entry = { ...previous, until: Date.now() + this.#ttl };
      this.#keep(tenant, entry);
      return entry;
    }
    const custody = this.custodyOf(tenant);
    const kid = envelopeKid(stored);
    if (kid !== undefined && !custody.has(kid)) {
      this.forget(tenant);
      throw gone(tenant, `its key record is sealed under master key "${kid}", which the keyring no longer holds`);
    }
    const { readable, secret } = await openRecord(custody, namespace, id, stored);
    const keyring = TenantKeyring.parse(tenant, secret, readable);
    if (changed()) {
      keyring.wipe(); // written or destroyed while it was opened: read again
      return this.#load(tenant);
    }
    const entry = { keyring, stored, until: Date.now() + this.#ttl };
    this.#keep(tenant, entry);
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
      this.#keep(tenant, { keyring: next, stored: envelope, until: Date.now() + this.#ttl });
    }
    return ok;
  }
}

function gone(tenant: string, why: string): VaultError {
  return new VaultError('TENANT_KEY_GONE', `the key of tenant "${tenant}" is gone: ${why}`);
}

/** Whether an error means a tenant's key is gone (for callers that treat shredded data as absent); `false` for anything else, never throws. */
export function isTenantKeyGone(error: unknown): boolean {
  return isVaultError(error, 'TENANT_KEY_GONE');
}
