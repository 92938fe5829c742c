import { invalidArgument, isRecordLike, storeCall } from '../errors/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import { checkRotateOptions } from '../rotation/index.js';
import {
  batchArgument,
  entriesArguments,
  findByArguments,
  idArgument,
  migrateArguments,
  onArguments,
  refreshArguments,
  tenantArgument,
  tenantRotateArguments,
  updateArguments,
  verifyArguments,
} from './arguments.js';
import { closeContext, vaultContext } from './context.js';
import { entries, findBy } from './find.js';
import { keyStatus, rotate, verify } from './maintenance.js';
import { type MaskedVault, maskedVault } from './masked-vault.js';
import { migrate } from './migrate.js';
import { observedVault } from './observed-vault.js';
import { read } from './read.js';
import { refresh } from './refresh.js';
import { rotateTenantKeys, shredTenant, tenantOps } from './tenant-ops.js';
import type { SecretsMode, Vault, VaultOptions } from './types.js';
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
 * Every method checks its arguments first: one of the wrong kind (a `null` options object, an
 * updater that is not a function, ...) is `INVALID_ARGUMENT` naming it in `path`, and nothing
 * is stored.
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault (`path`): options that are
 * not an object, a namespace outside `[A-Za-z0-9_-]{1,64}`, a missing keyring or schema, a store
 * or keyring without the members of its contract, an `index` field that is not a secret field,
 * any option of the wrong kind, an `onListenerError` that is not a function (path
 * `onListenerError`), a `secrets` mode other than `'plain'` and `'masked'` (path `secrets`);
 * `UNSUPPORTED` for `index` (path `index`) or `tenant` (path `tenant`) over a store without
 * compare-and-set (a blind-index key or a tenant's first key is made by
 * insert-if-absent).
 */
export function createVault<S extends AnyCredentialSchema>(options: VaultOptions<S>): Vault<S>;
/**
 * A vault whose records read hold their secret fields as `Secret`s (see `VaultOptions.secrets`).
 * @throws VaultError as the first signature.
 */
export function createVault<S extends AnyCredentialSchema>(
  options: VaultOptions<S, 'masked'> & { readonly secrets: 'masked' },
): MaskedVault<S>;
/**
 * A vault of either kind, for a `secrets` mode known only at run time.
 * @throws VaultError as the first signature; `INVALID_ARGUMENT` (path `secrets`) for a mode
 * other than `'plain'` and `'masked'`.
 */
export function createVault<S extends AnyCredentialSchema>(
  options: VaultOptions<S, SecretsMode>,
): Vault<S> | MaskedVault<S>;
export function createVault<S extends AnyCredentialSchema>(
  options: VaultOptions<S, SecretsMode>,
): Vault<S> | MaskedVault<S> {
  if (!isRecordLike(options)) throw invalidArgument('options', 'an object of options ({ keyring, schema, ... })');
  const ctx = vaultContext(options as VaultOptions<S>); // checks `secrets`; the context has no use for it
  const { store, schema, namespace, keyring } = ctx;
  const vault: Vault<S> = {
    namespace,
    store: ctx.givenStore,
    schema,
    async set(id, input) {
      idArgument(id);
      return set(ctx, id, input);
    },
    setMany: async (batch) => setMany(ctx, batchArgument(batch)),
    async get(id) {
      idArgument(id);
      return (await read(ctx, id))?.record;
    },
    async getEntry(id) {
      idArgument(id);
      const entry = await read(ctx, id);
      return entry === undefined ? undefined : { id, record: entry.record, storedAt: entry.storedAt, kid: entry.kid };
    },
    async update(id, updater, updateOptions) {
      idArgument(id);
      return update(ctx, id, updater, updateArguments(updater, updateOptions));
    },
    async refresh(id, refresher, refreshOptions) {
      idArgument(id);
      return refresh(ctx, id, refresher, refreshArguments(refresher, refreshOptions));
    },
    async findBy(field, value) {
      findByArguments(field, value);
      return findBy(ctx, field, value);
    },
    async has(id) {
      idArgument(id);
      return storeCall('has', () => store.has(ctx.key(id)), id);
    },
    async delete(id) {
      idArgument(id);
      return remove(ctx, id);
    },
    async *entries(entriesOptions) {
      yield* entries(ctx, entriesArguments<S>(entriesOptions));
    },
    async rotate(rotateOptions) {
      checkRotateOptions(rotateOptions);
      return rotate(ctx, rotateOptions);
    },
    async rotateTenant(tenant, rotateOptions) {
      tenantArgument(tenant);
      return rotateTenantKeys(tenantOps(ctx), tenant, tenantRotateArguments(rotateOptions));
    },
    async shred(tenant) {
      tenantArgument(tenant);
      return shredTenant(tenantOps(ctx), tenant);
    },
    status: () => keyStatus(store, keyring.primaryKid, namespace),
    verify: async (verifyOptions) => verify(ctx, verifyArguments(verifyOptions).onProgress),
    migrate: async (migrateOptions) => migrate(ctx, migrateArguments(migrateOptions)),
    on(type, listener) {
      onArguments(type, listener);
      return ctx.events.on(type, listener);
    },
    close: () => closeContext(ctx),
  };
  const observed = ctx.telemetry === undefined ? vault : observedVault(vault, ctx.telemetry);
  return options.secrets === 'masked' ? maskedVault(observed) : observed;
}
