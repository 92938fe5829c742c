import { forRecord, VaultError } from '../errors/index.js';
import { parseEnvelope } from '../format/index.js';
import { type AnyCredentialSchema, compileWhere, type OutputOf } from '../records/index.js';
import { idOfKey, isVaultId, iterate, recordPrefix } from '../store/index.js';
import type { VaultContext } from './context.js';
import { sameSecret } from './options.js';
import { open, read } from './read.js';
import type { EntriesOptions } from './types.js';

/**
 * {@link Vault.findBy}: the blind index names a record id, whose record is read and must hold
 * exactly `value` (an index entry is only a hint: it may be stale or collide).
 * @throws VaultError `INVALID_ARGUMENT` for a field the vault does not index.
 */
export async function findBy<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  field: string,
  value: unknown,
): Promise<{ id: string; record: OutputOf<S> } | undefined> {
  const { index } = ctx;
  if (index === undefined || !index.fields.includes(field)) {
    throw new VaultError('INVALID_ARGUMENT', `"${field}" is not indexed: createVault({ index: ["${field}"] })`, {
      path: field,
    });
  }
  if (typeof value !== 'string' || value === '') return undefined;
  const id = await index.lookup(field, value);
  const found = id === undefined ? undefined : await read(ctx, id);
  const actual = (found?.record as Record<string, unknown> | undefined)?.[field];
  if (found === undefined || typeof actual !== 'string' || !sameSecret(actual, value)) return undefined;
  return { id: id as string, record: found.record };
}

/**
 * {@link Vault.entries}: scans the namespace, filters on the readable text before opening
 * anything, and opens the matches without filling the record cache.
 */
export async function* entries<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  options: EntriesOptions<S> = {},
): AsyncGenerator<[string, OutputOf<S>], void, undefined> {
  const { namespace } = ctx;
  const matches = compileWhere(ctx.schema, options.where);
  for await (const [storeKey, stored] of iterate(ctx.store)(recordPrefix(namespace))) {
    const id = idOfKey(namespace, storeKey);
    if (isVaultId(id)) continue; // vault-internal (the index key)
    let readable: string;
    try {
      readable = parseEnvelope(stored).readable;
    } catch (error) {
      throw forRecord(error, id);
    }
    if (matches(readable, id)) yield [id, (await open(ctx, id, stored, true, 'read')).record];
  }
}
