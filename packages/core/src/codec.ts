import { canonicalJson } from './canonical-json.js';
import type { RecordText } from './envelope.js';
import { VaultError } from './errors.js';
import { type AnyCredentialSchema, type OutputOf, splitRecord, validate } from './schema.js';

/** Readable-JSON member the vault writes beside the record: when it was stored. */
export const STORED_AT = '~storedAt';

/** Vault metadata of a stored record. */
export interface RecordMeta {
  /** When the record was last written (absent on records written before credvault kept it). */
  readonly storedAt?: Date;
}

/** A validated record and its encoding. */
export interface EncodedRecord<T> {
  readonly record: T;
  readonly text: RecordText;
}

/**
 * Validates a record and encodes it as the canonical JSON of its readable fields (plus vault
 * metadata, such as `~storedAt`) and of its secret fields.
 * @throws VaultError `VALIDATION_FAILED`.
 */
export function encodeRecord<S extends AnyCredentialSchema>(
  schema: S,
  input: unknown,
  id: string,
  meta: RecordMeta = {},
): EncodedRecord<OutputOf<S>> {
  const record = validate(schema.schema, input, id) as OutputOf<S>;
  const parts = splitRecord(record as object, schema.secret);
  const readable = meta.storedAt === undefined ? parts.readable : { ...parts.readable, [STORED_AT]: meta.storedAt };
  return { record, text: { readable: canonicalJson(readable), secret: canonicalJson(parts.secret) } };
}

/**
 * Parses JSON text that must hold an object.
 * @throws VaultError `DECRYPT_FAILED` when it does not.
 */
export function parseObject(text: string, what: string, id: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new VaultError('DECRYPT_FAILED', `${what} fields are not a JSON object`, { id });
}

/**
 * Decodes opened record text back into a validated record and its vault metadata.
 * @throws VaultError `DECRYPT_FAILED` for text that is not JSON objects, `VALIDATION_FAILED`.
 */
export function decodeRecord<S extends AnyCredentialSchema>(
  schema: S,
  text: RecordText,
  id: string,
): { record: OutputOf<S>; meta: RecordMeta } {
  const { [STORED_AT]: storedAt, ...readable } = parseObject(text.readable, 'readable', id);
  const record = validate(schema.schema, { ...readable, ...parseObject(text.secret, 'secret', id) }, id) as OutputOf<S>;
  const when = typeof storedAt === 'string' ? new Date(storedAt) : undefined;
  return { record, meta: when === undefined || Number.isNaN(when.getTime()) ? {} : { storedAt: when } };
}
