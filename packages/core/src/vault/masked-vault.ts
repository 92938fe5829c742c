import {
  type AnyCredentialSchema,
  exposeRecord,
  type Masked,
  type MaskedInput,
  maskRecord,
  type SecretOf,
} from '../records/index.js';
import type { EntriesOptions, RefreshOptions, UpdateOptions, Vault, VaultEntry } from './types.js';

/** The members of a vault that never carry a record. */
export type PassedThrough =
  | 'namespace'
  | 'store'
  | 'schema'
  | 'has'
  | 'delete'
  | 'rotate'
  | 'rotateTenant'
  | 'shred'
  | 'status'
  | 'verify'
  | 'migrate'
  | 'on'
  | 'close';

/** The members of a vault that never carry a record: a masked vault has them as they are. */
const PASSED_THROUGH: Readonly<Record<PassedThrough, true>> = {
  namespace: true,
  store: true,
  schema: true,
  has: true,
  delete: true,
  rotate: true,
  rotateTenant: true,
  shred: true,
  status: true,
  verify: true,
  migrate: true,
  on: true,
  close: true,
};

/** {@link MaskedVault.update}'s updater: given the masked record, returns the next one (`Secret`s allowed) or `undefined`. */
export type MaskedUpdater<S extends AnyCredentialSchema> = (
  current: Masked<S> | undefined,
) => MaskedInput<S> | undefined | Promise<MaskedInput<S> | undefined>;

/** {@link MaskedVault.refresh}'s refresher: given the masked record, returns the refreshed one (`Secret`s allowed). */
export type MaskedRefresher<S extends AnyCredentialSchema> = (
  current: Masked<S>,
) => MaskedInput<S> | Promise<MaskedInput<S>>;

/** {@link VaultEntry} with its record masked. */
export interface MaskedEntry<S extends AnyCredentialSchema> extends Omit<VaultEntry<S>, 'record'> {
  readonly record: Masked<S>;
}

/**
 * A vault made with `createVault({ secrets: 'masked' })`: the operations of {@link Vault}, with
 * every record read holding its secret fields as `Secret`s ({@link Masked}), and writes taking
 * `Secret`s in secret fields ({@link MaskedInput}), exposed before validation. A `Secret` in a
 * readable field is not exposed: validation refuses it.
 */
export interface MaskedVault<S extends AnyCredentialSchema> extends Pick<Vault<S>, PassedThrough> {
  /** {@link Vault.set}, exposing `Secret`s in secret fields first. @throws VaultError as `Vault.set`. */
  set(id: string, record: MaskedInput<S>): Promise<void>;
  /** {@link Vault.setMany}, exposing `Secret`s in secret fields first. @throws VaultError as `Vault.setMany`. */
  setMany(entries: Iterable<readonly [string, MaskedInput<S>]>): Promise<void>;
  /** {@link Vault.get}, masked. @throws VaultError as `Vault.get`. */
  get(id: string): Promise<Masked<S> | undefined>;
  /** {@link Vault.getEntry}, masked. @throws VaultError as `Vault.getEntry`. */
  getEntry(id: string): Promise<MaskedEntry<S> | undefined>;
  /** {@link Vault.update}: the updater gets and may return masked records. @throws VaultError as `Vault.update`. */
  update(id: string, updater: MaskedUpdater<S>, options?: UpdateOptions): Promise<Masked<S> | undefined>;
  /** {@link Vault.refresh}: the refresher gets and may return masked records. @throws VaultError as `Vault.refresh`. */
  refresh(id: string, refresher: MaskedRefresher<S>, options?: RefreshOptions): Promise<Masked<S>>;
  /** {@link Vault.findBy}, masked. @throws VaultError as `Vault.findBy`. */
  findBy(field: SecretOf<S>, value: string): Promise<{ id: string; record: Masked<S> } | undefined>;
  /** {@link Vault.entries}, masked. @throws VaultError as `Vault.entries`. */
  entries(options?: EntriesOptions<S>): AsyncGenerator<[string, Masked<S>], void, undefined>;
}

/**
 * `vault` with its records masked on the way out and exposed on the way in; the same errors.
 * Arguments of the wrong kind (an updater that is not a function, a batch that is not
 * iterable, ...) are passed on untouched, for `vault` to refuse. `createVault` uses it only
 * with `secrets: 'masked'`, so the default vault runs none of this.
 */
export function maskedVault<S extends AnyCredentialSchema>(vault: Vault<S>): MaskedVault<S> {
  const secret: ReadonlySet<string> = vault.schema.secret;
  const mask = (record: unknown) => maskRecord(secret, record as object) as Masked<S>;
  const maskMaybe = (record: unknown) => (record === undefined ? undefined : mask(record));
  const expose = <T>(record: T) => exposeRecord(secret, record);
  const plain = Object.fromEntries(
    Object.keys(PASSED_THROUGH).map((name) => [name, vault[name as PassedThrough]]),
  ) as Pick<Vault<S>, PassedThrough>;
  return {
    ...plain,
    set: async (id, input) => vault.set(id, expose(input) as never),
    setMany: async (batch) => vault.setMany(exposedBatch(batch, expose) as never),
    get: async (id) => maskMaybe(await vault.get(id)),
    async getEntry(id) {
      const entry = await vault.getEntry(id);
      return entry === undefined ? undefined : { ...entry, record: mask(entry.record) };
    },
    async update(id, updater, options) {
      const inner =
        typeof updater === 'function' ? async (current: unknown) => expose(await updater(maskMaybe(current))) : updater;
      return maskMaybe(await vault.update(id, inner as never, options));
    },
    async refresh(id, refresher, options) {
      const inner =
        typeof refresher === 'function'
          ? async (current: unknown) => expose(await refresher(mask(current)))
          : refresher;
      return mask(await vault.refresh(id, inner as never, options));
    },
    async findBy(field, value) {
      const found = await vault.findBy(field, value);
      return found === undefined ? undefined : { id: found.id, record: mask(found.record) };
    },
    async *entries(options) {
      for await (const [id, record] of vault.entries(options)) yield [id, mask(record)];
    },
  };
}

/**
 * `batch` with `Secret`s exposed in each `[id, record]` pair, read lazily; anything that is not
 * an iterable, or an item that is not a pair, is left as it is for `setMany`'s own checks.
 */
function exposedBatch(batch: unknown, expose: <T>(record: T) => T): unknown {
  const iterator = (batch as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator];
  if (typeof batch === 'string' || typeof iterator !== 'function') return batch;
  return (function* () {
    for (const item of batch as Iterable<unknown>) {
      if (!Array.isArray(item) || item.length !== 2) {
        yield item;
        continue;
      }
      const record = expose(item[1]);
      yield record === item[1] ? item : [item[0], record];
    }
  })();
}
