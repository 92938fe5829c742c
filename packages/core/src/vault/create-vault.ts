import { storeCall } from '../errors/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import { checkId } from '../store/index.js';
import { vaultContext } from './context.js';
import { entries, findBy } from './find.js';
import { keyStatus, rotate, verify } from './maintenance.js';
import { read } from './read.js';
import { refresh } from './refresh.js';
import { rotateTenantKeys, shredTenant, tenantOps } from './tenant-ops.js';
import type { Vault, VaultOptions } from './types.js';
import { remove, set, setMany, update } from './write.js';

/**
 * Creates a vault: records are validated with `schema`, their secret fields sealed in a
 * `cv1` envelope under `keyring`'s primary key, and stored in `store` under `namespace`.
 *
 * @example
 * ```ts
 * const vault = createVault({ keyring: keyringFromEnv(), schema: connectionSchema, namespace: 'connections' })
 * await vault.set(connection.idConnection, connection)
 * ```
 * @throws VaultError `INVALID_ARGUMENT` for a namespace outside `[A-Za-z0-9_-]{1,64}`, a missing
 * keyring or schema, or an `index` field that is not a secret field.
 */
export function createVault<S extends AnyCredentialSchema>(options: VaultOptions<S>): Vault<S> {
  const ctx = vaultContext(options);
  const { store, schema, namespace, keyring } = ctx;
  return {
    namespace,
    store,
    schema,
    set: (id, input) => set(ctx, id, input),
    setMany: (batch) => setMany(ctx, batch),
    async get(id) {
      checkId(id);
      return (await read(ctx, id))?.record;
    },
    async getEntry(id) {
      checkId(id);
      const entry = await read(ctx, id);
      return entry === undefined ? undefined : { id, record: entry.record, storedAt: entry.storedAt, kid: entry.kid };
    },
    update: (id, updater, updateOptions) => update(ctx, id, updater, updateOptions),
    refresh: (id, refresher, refreshOptions) => refresh(ctx, id, refresher, refreshOptions),
    findBy: (field, value) => findBy(ctx, field, value),
    async has(id) {
      checkId(id);
      return storeCall('has', () => store.has(ctx.key(id)), id);
    },
    delete: (id) => remove(ctx, id),
    entries: (entriesOptions) => entries(ctx, entriesOptions),
    rotate: (rotateOptions) => rotate(ctx, rotateOptions),
    rotateTenant: async (tenant, rotateOptions) => rotateTenantKeys(tenantOps(ctx), tenant, rotateOptions),
    shred: async (tenant) => shredTenant(tenantOps(ctx), tenant),
    status: () => keyStatus(store, keyring.primaryKid, namespace),
    verify: (verifyOptions = {}) => verify(ctx, verifyOptions.onProgress),
    on: (type, listener) => ctx.events.on(type, listener),
    async close() {
      ctx.tenancy?.tenants.clear();
      ctx.records?.close();
      await ctx.readKeys?.close();
      await storeCall('close', async () => store.close?.());
    },
  };
}
