import { VaultError } from '../errors/index.js';
import type { RecordText } from '../format/index.js';
import { canonicalJson, isoString, type RecordMeta, readRecordText, STORED_AT } from '../format/index.js';
import { type AnyCredentialSchema, type OutputOf, splitRecord, validate } from './schema.js';

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
  const { readable, secret } = splitRecord(record as object, schema.secret);
  if (meta.storedAt !== undefined) readable[STORED_AT] = meta.storedAt;
  return { record, text: { readable: canonicalJson(readable), secret: canonicalJson(secret) } };
}

/**
 * Decodes opened record text back into a validated record and its vault metadata, by the
 * strict rules of FORMAT.md: canonical JSON, each field in one part, no secret field in clear,
 * and every date stored exactly as `toISOString()` writes it. `written`: the text is what
 * {@link encodeRecord} gave in this process, so its canonical form is not checked again.
 * @throws VaultError `DECRYPT_FAILED` for text that breaks a rule, `SECRET_IN_CLEAR` naming a
 * secret field found in the readable part, `VALIDATION_FAILED`.
 */
export function decodeRecord<S extends AnyCredentialSchema>(
  schema: S,
  text: RecordText,
  id: string,
  written = false,
): { record: OutputOf<S>; meta: RecordMeta } {
  const parts = readRecordText(text, schema.secret, id, { written });
  // Neither part has a `__proto__` member (readRecordText refuses one), so Object.assign copies
  // them as a spread would, 7x faster here.
  const stored: Record<string, unknown> = Object.assign({}, parts.readable, parts.secret);
  const record = validate(schema.schema, stored, id) as OutputOf<S>;
  for (const name of Object.keys(record as object)) {
    const value = (record as Record<string, unknown>)[name];
    if (value instanceof Date && (Number.isNaN(value.getTime()) || stored[name] !== isoString(value.getTime()))) {
      throw new VaultError('DECRYPT_FAILED', `date field "${name}" is not stored as toISOString() writes it`, {
        id,
        path: name,
      });
    }
  }
  return { record, meta: parts.meta };
}
