import { invalidArgument, isRecordLike, VaultError } from '../errors/index.js';
import { envelopeKid, isLegacyValue } from '../format/index.js';
import type { AnyCredentialSchema, OutputOf, SecretOf } from '../records/index.js';
import { memoryStore, type VaultStore } from '../store/index.js';
import { isTenantKid } from '../tenants/index.js';
import { findByArguments, idArgument, onArguments } from './arguments.js';
import { indexable } from './blind-index.js';
import { closeContext, vaultContext } from './context.js';
import type { VaultEventType, VaultListener } from './events.js';
import { open } from './read.js';
import type { VaultOptions } from './types.js';
import { remember, seal } from './write.js';

/** Options of {@link createSealer}: a vault's, with a `keyStore` in place of its store. */
export interface SealerOptions<S extends AnyCredentialSchema> extends Omit<VaultOptions<S>, 'store' | 'index'> {
  /**
   * Secret string fields to make blind-index terms of ({@link Sealer.terms}), for index columns
   * of your own. Needs `keyStore`, which keeps the index key.
   */
  readonly index?: readonly SecretOf<S>[];
  /**
   * Where the sealer keeps what is not yours to store: the namespace's blind-index key (with
   * `index`) and the tenants' keys (with `tenant`), each sealed under `keyring` like a record,
   * so a key rotation (`rotate` over this store) rewraps them. Needed with `index` or `tenant`
   * (with compare-and-set: `@credvault/sqlite`, `postgres`, `redis`); unused otherwise.
   */
  readonly keyStore?: VaultStore;
}

/**
 * Seals and opens records one at a time, with no store of records: the text goes wherever you
 * keep it, e.g. a column of your own table. The very code of {@link createVault} (schema,
 * keyring, custody, tenant keys, caches, legacy readers, errors), so a vault over that table
 * (`postgresTableStore`, `sqliteTableStore`) reads, rotates and verifies what a sealer wrote.
 */
export interface Sealer<S extends AnyCredentialSchema> {
  readonly namespace: string;
  readonly schema: S;
  /**
   * Validates `input` and seals it as `cv1` envelope text bound to `id` (and the namespace):
   * opened under another id, it fails `DECRYPT_FAILED`.
   * @throws VaultError `INVALID_ARGUMENT` for a bad id, `VALIDATION_FAILED`, `KEY_UNAVAILABLE`.
   */
  seal(id: string, input: unknown): Promise<string>;
  /**
   * {@link seal} and {@link terms} in one: the text, and the terms of the record as validated
   * (what the schema made of `input`, so a field it transforms is indexed as stored).
   * @throws VaultError as `seal` and `terms`.
   */
  sealIndexed(id: string, input: unknown): Promise<{ text: string; terms: Partial<Record<SecretOf<S>, string>> }>;
  /**
   * Opens text that {@link seal} made for `id` (or a legacy value, with `legacy` readers:
   * reported as a `legacy` event) into the validated record.
   * @throws VaultError `DECRYPT_FAILED` (tampered, moved to another id, not an envelope),
   * `UNKNOWN_KEY`, `TENANT_KEY_GONE`, `SECRET_IN_CLEAR`, `VALIDATION_FAILED`, `KEY_UNAVAILABLE`.
   */
  open(id: string, text: string): Promise<OutputOf<S>>;
  /**
   * The blind-index term of each indexed field of `record` that has one (a non-empty string):
   * the base64url HMAC under the namespace's index key, what a vault's index entry ends with.
   * Keep each in a column of its own and look a row up by {@link term}.
   * @throws VaultError `STORE_FAILED`, `CONFLICT` when the index key cannot be made.
   */
  terms(record: object): Promise<Partial<Record<SecretOf<S>, string>>>;
  /**
   * The term to look `value` of `field` up by; `undefined` for a value never indexed (empty,
   * not well-formed UTF-16), which no row matches. A match is only a hint: open the row's text
   * and compare the field, as `vault.findBy` does.
   * @throws VaultError `INVALID_ARGUMENT` for a field not in `index`.
   */
  term(field: SecretOf<S>, value: string): Promise<string | undefined>;
  /**
   * Whether `text` needs no work from a rotation or migration: a `cv1` envelope under the
   * keyring's primary kid (tenant-keyed envelopes count as current: their tenant rotation moves them).
   */
  isCurrent(text: string): boolean;
  /** Listens to `get` (each open), `set` (each seal), `legacy` and `decryptFailed`, like `vault.on`. */
  on<E extends VaultEventType | '*'>(type: E, listener: VaultListener<E>): () => void;
  /** Wipes the caches' keys and closes `keyStore`. */
  close(): Promise<void>;
}

/**
 * Creates a {@link Sealer}.
 * @throws VaultError `INVALID_ARGUMENT` as `createVault` does, and for `index` or `tenant`
 * without `keyStore` (path `keyStore`).
 */
export function createSealer<S extends AnyCredentialSchema>(options: SealerOptions<S>): Sealer<S> {
  if (!isRecordLike(options)) throw invalidArgument('options', 'an object of options ({ keyring, schema, ... })');
  const { keyStore } = options;
  if (keyStore === undefined && ((options.index?.length ?? 0) > 0 || options.tenant !== undefined)) {
    throw invalidArgument('keyStore', 'a VaultStore with compare-and-set, to keep the index key and tenant keys');
  }
  const ctx = vaultContext({ ...options, store: keyStore ?? memoryStore() });
  const { index, keyring, namespace } = ctx;
  const sealOne = async (id: unknown, input: unknown) => {
    idArgument(id);
    const sealed = await seal(ctx, id, input);
    remember(ctx, id, sealed);
    ctx.emit('set', id, envelopeKid(sealed.envelope));
    return sealed;
  };
  const termsOf = async (record: object): Promise<Partial<Record<SecretOf<S>, string>>> => {
    const out: Partial<Record<string, string>> = {};
    for (const [field, value] of index?.valuesOf(record) ?? []) out[field] = await index?.token(field, value, true);
    return out as Partial<Record<SecretOf<S>, string>>;
  };
  return {
    namespace,
    schema: ctx.schema,
    async seal(id, input) {
      return (await sealOne(id, input)).envelope;
    },
    async sealIndexed(id, input) {
      const sealed = await sealOne(id, input);
      return { text: sealed.envelope, terms: await termsOf(sealed.record) };
    },
    async open(id, text) {
      idArgument(id);
      if (typeof text !== 'string') throw invalidArgument('text', 'a string');
      return (await open(ctx, id, text)).record;
    },
    async terms(record) {
      if (!isRecordLike(record)) throw invalidArgument('record', 'a record object');
      return termsOf(record);
    },
    async term(field, value) {
      findByArguments(field, value);
      if (index === undefined || !index.fields.includes(field)) {
        throw new VaultError('INVALID_ARGUMENT', `"${field}" is not indexed: createSealer({ index: ["${field}"] })`, {
          path: 'field',
        });
      }
      return indexable(value) ? index.token(field, value, true) : undefined;
    },
    isCurrent(text) {
      if (typeof text !== 'string' || isLegacyValue(text)) return false;
      const kid = envelopeKid(text);
      return kid === keyring.primaryKid || (ctx.tenancy !== undefined && kid !== undefined && isTenantKid(kid));
    },
    on(type, listener) {
      onArguments(type, listener);
      return ctx.events.on(type, listener);
    },
    close: () => closeContext(ctx),
  };
}
