import { forRecord, isVaultError, storeCall } from '../errors/index.js';
import { envelopeKid, isLegacyValue, openRecord } from '../format/index.js';
import { type AnyCredentialSchema, copyRecord, decodeRecord, type OutputOf } from '../records/index.js';
import type { StoredRecord, VaultContext } from './context.js';
import { openLegacy } from './legacy.js';
import type { OpenedRecord } from './read-caches.js';

/** Failures to open a stored record that the `decryptFailed` audit event reports. */
const OPEN_FAILURES: ReadonlySet<string> = new Set([
  'DECRYPT_FAILED',
  'UNKNOWN_KEY',
  'TENANT_KEY_GONE',
  'SECRET_IN_CLEAR',
]);

/**
 * How a read uses the caches: `fill` reads and fills them; `read` reads them but keeps what it
 * opens out of the record cache (a scan must not evict the hot records); `none` goes around both
 * (verify).
 */
export type CacheUse = 'fill' | 'read' | 'none';

/** Reads and opens record `id`; `undefined` when none is stored. `audit`: emit `get`. */
export async function read<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  audit = true,
): Promise<StoredRecord<S> | undefined> {
  const stored = await storeCall('get', () => ctx.store.get(ctx.key(id)), id);
  return stored === undefined ? undefined : open(ctx, id, stored, audit);
}

/** The current record for index upkeep: one that does not open just has no index entries to remove. */
export async function previous<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
): Promise<OutputOf<S> | undefined> {
  if (ctx.index === undefined) return undefined;
  return (await read(ctx, id, false).catch(() => undefined))?.record;
}

/**
 * Opens a stored value; `audit` emits `get`; `cache`: how it uses the record and unwrap
 * caches, if any. Failures to open emit `decryptFailed`. A value stored before credvault goes to
 * the legacy readers (`legacy.ts`), around the caches.
 */
export async function open<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  stored: string,
  audit = true,
  cache: CacheUse = 'fill',
): Promise<StoredRecord<S>> {
  const kid = envelopeKid(stored);
  try {
    const { record, storedAt } = isLegacyValue(stored)
      ? await openLegacy(ctx, id, stored, audit)
      : ((cache === 'none' ? undefined : fromCache(ctx, id, stored)) ?? (await openStored(ctx, id, stored, cache)));
    if (audit) ctx.emit('get', id, kid);
    return { stored, record, storedAt, kid };
  } catch (error) {
    if (isVaultError(error) && OPEN_FAILURES.has(error.code)) ctx.emit('decryptFailed', id, kid, { code: error.code });
    throw forRecord(error, id);
  }
}

async function openStored<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  stored: string,
  cache: CacheUse,
): Promise<OpenedRecord<S>> {
  const { tenancy, keyring, readKeys, schema, namespace } = ctx;
  const keys =
    tenancy !== undefined ? await tenancy.forOpen(id, stored) : cache === 'none' ? keyring : (readKeys ?? keyring);
  const opened = decodeRecord(schema, await openRecord(keys, namespace, id, stored), id);
  return cache === 'fill'
    ? remember(ctx, id, stored, opened)
    : { record: opened.record, storedAt: opened.meta.storedAt };
}

/** A copy of what the record cache holds for exactly this text (a write's text is decoded on its first read). */
function fromCache<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  stored: string,
): OpenedRecord<S> | undefined {
  const { records, telemetry } = ctx;
  if (records === undefined) return undefined;
  const hit = records.lookup(id, stored);
  if (telemetry !== undefined) {
    telemetry.cache({ cache: 'record', result: hit === undefined ? 'miss' : 'hit', namespace: ctx.namespace });
  }
  if (hit === undefined) return undefined;
  return 'value' in hit
    ? copyRecord(hit.value)
    : remember(ctx, id, stored, decodeRecord(ctx.schema, hit.draft, id, true));
}

/** Puts a copy of what `stored` opened to in the record cache (records of plain data only). */
function remember<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  stored: string,
  { record, meta }: ReturnType<typeof decodeRecord<S>>,
): OpenedRecord<S> {
  const opened: OpenedRecord<S> = { record, storedAt: meta.storedAt };
  const { records } = ctx;
  if (records === undefined) return opened;
  const copy = copyRecord(opened);
  if (copy === undefined) records.forget(id);
  else records.opened(id, stored, copy);
  return opened;
}
