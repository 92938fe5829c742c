import { VaultError } from '../errors/index.js';
import { envelopeKid, openRecord, parseEnvelope } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import { combineKeys } from '../keys/index.js';
import { isVaultId, isWellFormed } from '../store/index.js';
import { isTenantKid, TENANT_RECORD_PREFIX, type TenantCustody, TenantKeyring } from './tenant-keyring.js';
import { Tenants } from './tenant-store.js';

/**
 * Where a rotation sends a record: the keys to move it under, or `null` when it is not part of
 * this rotation. `finish`, if there, runs once the rotation is over (it wipes keys made for it).
 */
export type RotateRoute = ((id: string, stored: string) => Promise<KeyEncryptionKeys | null>) & {
  readonly finish?: () => void;
};

/** Names a record's tenant: a readable field's name, or a function of the readable fields. */
export type TenantOf = string | ((readable: Readonly<Record<string, unknown>>) => unknown);

/** The vault's view of the tenant key level: which keys seal, open and rotate each record. */
export class Tenancy {
  readonly tenants: Tenants;
  readonly #master: KeyEncryptionKeys;
  readonly #tenantOf: (readable: Readonly<Record<string, unknown>>) => unknown;
  readonly #what: string;

  constructor(tenant: TenantOf, tenants: Tenants, master: KeyEncryptionKeys) {
    this.tenants = tenants;
    this.#master = master;
    this.#tenantOf = typeof tenant === 'string' ? (readable) => readable[tenant] : tenant;
    this.#what = typeof tenant === 'string' ? tenant : 'tenant';
  }

  /**
   * The tenant of a record or of its readable fields.
   * @throws VaultError `INVALID_ARGUMENT` naming the tenant field when it is not a non-empty, well-formed string.
   */
  tenantOf(readable: Readonly<Record<string, unknown>>, id?: string): string {
    const tenant = this.#tenantOf(readable);
    if (typeof tenant === 'string' && tenant !== '' && tenant.length <= 512 && isWellFormed(tenant)) return tenant;
    throw new VaultError('INVALID_ARGUMENT', `the tenant (${this.#what}) must be a non-empty string`, {
      path: this.#what,
      ...(id === undefined ? {} : { id }),
    });
  }

  /** The tenant of a stored envelope, from its readable part (authenticated when the record opens). */
  tenantOfStored(stored: string, id: string): string {
    let readable: Record<string, unknown>;
    try {
      readable = JSON.parse(parseEnvelope(stored).readable) as Record<string, unknown>;
    } catch (error) {
      throw error instanceof VaultError ? error : new VaultError('DECRYPT_FAILED', 'readable part is not JSON', { id });
    }
    try {
      return this.tenantOf(readable, id);
    } catch {
      throw new VaultError('DECRYPT_FAILED', `the readable part names no tenant (${this.#what})`, { id });
    }
  }

  /** Opens a tenant key record and checks its contents, the readable part included (for `verify`). */
  async verifyKeyRecord(id: string, stored: string): Promise<void> {
    const tenant = id.slice(TENANT_RECORD_PREFIX.length);
    const { readable, secret } = await openRecord(this.tenants.custodyOf(tenant), this.tenants.namespace, id, stored);
    TenantKeyring.parse(tenant, secret, readable).wipe();
  }

  /** The keys a record of `tenant` is sealed under. */
  forWrite(tenant: string): Promise<TenantKeyring> {
    return this.tenants.forWrite(tenant);
  }

  /** The keys that open a stored record: its tenant's for tenant kids, the custody keys for tenant key records, the master keys otherwise. */
  async forOpen(id: string, stored: string): Promise<KeyEncryptionKeys> {
    const kid = envelopeKid(stored);
    if (id.startsWith(TENANT_RECORD_PREFIX)) return this.tenants.custodyOf(id.slice(TENANT_RECORD_PREFIX.length));
    if (kid === undefined || !isTenantKid(kid) || isVaultId(id)) return this.#master;
    return this.tenants.forRead(this.tenantOfStored(stored, id), kid);
  }

  /**
   * The master-key rotation: tenant key records under the master keys move to its primary
   * (one per tenant); records under tenant keys are current; records written before the vault
   * had tenants move under their tenant's key. With `reencrypt` nothing is left out: a record
   * under a tenant kid is sealed anew under its tenant's primary key (`TENANT_KEY_GONE`, reported
   * as failed, for a shredded tenant), a tenant's own-custody key record under its custody keys.
   */
  masterRoute(dryRun: boolean, reencrypt = false): RotateRoute {
    // A dry run writes nothing, not even a tenant's first key: it rewraps to a throwaway one
    // (one per tenant), wiped when the rotation finishes.
    const throwaway = new Map<string, TenantKeyring>();
    const firstKey = (tenant: string): TenantKeyring => {
      const held = throwaway.get(tenant);
      if (held !== undefined) return held;
      const keys = TenantKeyring.create(tenant);
      throwaway.set(tenant, keys);
      return keys;
    };
    const route = async (id: string, stored: string): Promise<KeyEncryptionKeys | null> => {
      if (id.startsWith(TENANT_RECORD_PREFIX)) {
        const tenant = id.slice(TENANT_RECORD_PREFIX.length);
        if (this.tenants.isMasterCustody(tenant)) return this.#master;
        return reencrypt ? this.tenants.custodyOf(tenant) : null; // else the tenant's own keys are the tenant's to rotate
      }
      const kid = envelopeKid(stored);
      if (isVaultId(id)) return this.#master;
      if (kid !== undefined && isTenantKid(kid)) {
        return reencrypt ? this.tenants.forRead(this.tenantOfStored(stored, id), kid) : null;
      }
      const tenant = this.tenantOfStored(stored, id);
      const keys = dryRun ? ((await this.tenants.existing(tenant)) ?? firstKey(tenant)) : await this.forWrite(tenant);
      return combineKeys([keys, this.#master], { primaryKid: keys.primaryKid });
    };
    const finish = () => {
      for (const keys of throwaway.values()) keys.wipe();
      throwaway.clear();
    };
    return Object.assign(route, { finish });
  }

  /** One tenant's key rotation: that tenant's records move to `keys`' primary; every other record is left alone. */
  tenantRoute(tenant: string, keys: TenantKeyring): RotateRoute {
    return async (id, stored) => {
      if (isVaultId(id) || this.tenantOfStored(stored, id) !== tenant) return null;
      const kid = envelopeKid(stored);
      return kid !== undefined && isTenantKid(kid)
        ? keys
        : combineKeys([keys, this.#master], { primaryKid: keys.primaryKid });
    };
  }

  /** A `Tenants` for these options. */
  static create(
    options: { tenant: TenantOf; custody?: TenantCustody | undefined; cacheTtlMs?: number | undefined },
    base: Omit<ConstructorParameters<typeof Tenants>[0], 'custody' | 'cacheTtlMs'>,
  ): Tenancy {
    const tenants = new Tenants({ ...base, custody: options.custody, cacheTtlMs: options.cacheTtlMs });
    return new Tenancy(options.tenant, tenants, base.master);
  }
}
