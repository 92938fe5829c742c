import { VaultError } from '../errors/index.js';
import { type AnyCredentialSchema, encodeRecord } from '../records/index.js';
import type { StoredRecord, VaultContext } from './context.js';

/**
 * What the vault's legacy readers read in a legacy value (not a `cv1` envelope): the record
 * input, not yet validated, and the reader's name.
 * @throws VaultError `DECRYPT_FAILED` when the vault has no legacy reader (the strict setting)
 * or none reads the value; whatever a reader throws for a value in its format that does not read.
 */
export async function readLegacy<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  stored: string,
): Promise<{ readonly input: unknown; readonly reader: string }> {
  const read = await ctx.legacy?.read(stored, id);
  if (read !== undefined) return read;
  const why =
    ctx.legacy === undefined
      ? 'is not a cv1 envelope (a value stored before credvault? declare a legacy reader: createVault({ legacy }))'
      : 'is not a cv1 envelope and no legacy reader reads it';
  throw new VaultError('DECRYPT_FAILED', `the stored value ${why}`, { id });
}

/**
 * Reads a legacy value (not a `cv1` envelope) through the vault's legacy readers and validates
 * it like a write: a typed record, reported as a `legacy` event when `audit` is set.
 * @throws VaultError `DECRYPT_FAILED` when the vault has no legacy reader (the strict setting)
 * or none reads the value; `VALIDATION_FAILED` when what it holds fails the schema; whatever
 * a reader throws for a value in its format that does not read.
 */
export async function openLegacy<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  id: string,
  stored: string,
  audit: boolean,
): Promise<StoredRecord<S> & { readonly reader: string }> {
  const read = await readLegacy(ctx, id, stored);
  const { record } = encodeRecord(ctx.schema, read.input, id);
  if (audit) ctx.emit('legacy', id, undefined, { reader: read.reader });
  return { stored, record, storedAt: undefined, kid: undefined, reader: read.reader };
}
