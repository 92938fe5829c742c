import { storeCall, VaultError } from '../errors/index.js';
import { envelopeKid, type RecordText, sealRecord } from '../format/index.js';
import { type AnyCredentialSchema, encodeRecord, type OutputOf } from '../records/index.js';
import type { StoredRecord, VaultContext } from './context.js';
import { previous, read } from './read.js';
import type { UpdateOptions, Updater, Vault } from './types.js';

// The operations here take ids the facade (create-vault.ts, through arguments.ts) has checked.

/** A record validated and sealed, not yet stored. */
export interface Sealed<S extends AnyCredentialSchema> {
  readonly record: OutputOf<S>;
  readonly text: RecordText;
  readonly envelope: string;
  readonly storedAt: Date;
}

/** Validates `input` and seals it for record `id`, under its tenant's keys where the vault has tenants. */
export async function seal<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  input: unknown,
): Promise<Sealed<S>> {
  const { tenancy, keyring, namespace } = ctx;
  const { record, text, storedAt } = encode(ctx, id, input);
  // The tenant is read from the readable fields only: the same view a reader has.
  const keys =
    tenancy === undefined
      ? keyring
      : await tenancy.forWrite(tenancy.tenantOf(JSON.parse(text.readable) as Record<string, unknown>, id));
  return { record, text, storedAt, envelope: await sealRecord(keys, namespace, id, text) };
}

/** Validates `input` and encodes it for record `id`, stamped with the time: what {@link seal} seals. */
export function encode<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  input: unknown,
): Omit<Sealed<S>, 'envelope'> {
  const storedAt = new Date();
  return { ...encodeRecord(ctx.schema, input, id, { storedAt }), storedAt };
}

/** {@link Vault.set}. */
export async function set<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  input: unknown,
): Promise<void> {
  await put(ctx, id, await seal(ctx, id, input));
}

/** {@link Vault.setMany}: every record sealed first, then one batch write where the store has one and no index needs upkeep. */
export async function setMany<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  entries: Iterable<readonly [string, unknown]>,
): Promise<void> {
  const batch: [string, Sealed<S>][] = [];
  for (const [id, input] of entries) {
    batch.push([id, await seal(ctx, id, input)]);
  }
  const { store } = ctx;
  const { setMany } = store;
  if (ctx.index !== undefined || setMany === undefined) {
    for (const [id, sealed] of batch) await put(ctx, id, sealed);
    return;
  }
  const rows = batch.map(([id, { envelope }]) => [ctx.key(id), envelope] as const);
  await storeCall('setMany', () => setMany.call(store, rows));
  for (const [id, sealed] of batch) landed(ctx, id, sealed);
}

/** {@link Vault.update}: read, apply, compare-and-set, again on a lost race. */
export async function update<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  updater: Updater<S>,
  options: UpdateOptions = {},
): Promise<OutputOf<S> | undefined> {
  const attempts = options.maxAttempts ?? 100;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await read(ctx, id);
    const next = await updater(current?.record);
    if (next === undefined) return current?.record;
    const sealed = await seal(ctx, id, next);
    if (await putIfUnchanged(ctx, id, current, sealed)) return sealed.record;
  }
  throw new VaultError('CONFLICT', `gave up after ${attempts} compare-and-set attempts`, { id });
}

/** {@link Vault.delete}. */
export async function remove<S extends AnyCredentialSchema>(ctx: VaultContext<S>, id: string): Promise<boolean> {
  const before = await previous(ctx, id);
  let existed = false;
  await indexed(ctx, id, before, undefined, async () => {
    existed = await storeCall('delete', () => ctx.store.delete(ctx.key(id)), id);
    return true;
  });
  ctx.records?.forget(id);
  if (existed) ctx.emit('delete', id, undefined);
  return existed;
}

/**
 * Compare-and-set where the store has it, a plain set otherwise, keeping the blind index right
 * (`before`: the value read and what it opened to, if anything); whether it was written.
 */
export async function putIfUnchanged<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  before: (Pick<StoredRecord<S>, 'stored'> & { readonly record?: OutputOf<S> | undefined }) | undefined,
  sealed: Sealed<S>,
): Promise<boolean> {
  const { store } = ctx;
  const cas = store.compareAndSet;
  const ok = await indexed(ctx, id, before?.record, sealed.record, () =>
    cas === undefined
      ? storeCall('set', () => store.set(ctx.key(id), sealed.envelope), id).then(() => true)
      : storeCall('compareAndSet', () => cas.call(store, ctx.key(id), before?.stored, sealed.envelope), id),
  );
  if (ok) landed(ctx, id, sealed);
  return ok;
}

/** A blind write (replace whatever is there), keeping the blind index right. */
async function put<S extends AnyCredentialSchema>(ctx: VaultContext<S>, id: string, sealed: Sealed<S>): Promise<void> {
  await indexed(ctx, id, await previous(ctx, id), sealed.record, () =>
    storeCall('set', () => ctx.store.set(ctx.key(id), sealed.envelope), id).then(() => true),
  );
  landed(ctx, id, sealed);
}

/** Runs `write`, keeping the blind index (if any) right. */
function indexed<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  before: object | undefined,
  after: object | undefined,
  write: () => Promise<boolean>,
): Promise<boolean> {
  return ctx.index === undefined ? write() : ctx.index.write(id, before, after, write);
}

/**
 * A sealed record is in the store: the record cache learns what its text reads back as (or
 * the text, to decode on the first read), listeners hear `set`.
 */
function landed<S extends AnyCredentialSchema>(ctx: VaultContext<S>, id: string, sealed: Sealed<S>): void {
  remember(ctx, id, sealed);
  ctx.emit('set', id, envelopeKid(sealed.envelope));
}

/**
 * The record cache learns what a sealed record's text reads back as (or the text, to decode on
 * its first read), so that a read of exactly that text under that id skips the unwrap: the
 * cache is keyed by id and text, so the text read under another id still opens in full.
 */
export function remember<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  { envelope, text, record, storedAt }: Sealed<S>,
): void {
  const { records, drafts, reread } = ctx;
  if (!drafts) records?.forget(id);
  else if (reread === undefined) records?.wrote(id, envelope, text);
  else records?.opened(id, envelope, { record: reread(record) as OutputOf<S>, storedAt });
}
