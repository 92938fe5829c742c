import { canonicalJson } from './canonical-json.js';
import type { RecordText } from './envelope.js';
import { VaultError } from './errors.js';
import { type AnyCredentialSchema, type OutputOf, splitRecord, validate } from './schema.js';

/**
 * Validates a record and encodes it as the canonical JSON of its readable and its secret fields.
 * @throws VaultError `VALIDATION_FAILED`.
 */
export function encodeRecord(schema: AnyCredentialSchema, input: unknown, id: string): RecordText {
  const parts = splitRecord(validate(schema.schema, input, id) as object, schema.secret);
  return { readable: canonicalJson(parts.readable), secret: canonicalJson(parts.secret) };
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
 * Decodes opened record text back into a validated record.
 * @throws VaultError `DECRYPT_FAILED` for text that is not JSON objects, `VALIDATION_FAILED`.
 */
export function decodeRecord<S extends AnyCredentialSchema>(schema: S, text: RecordText, id: string): OutputOf<S> {
  const record = { ...parseObject(text.readable, 'readable', id), ...parseObject(text.secret, 'secret', id) };
  return validate(schema.schema, record, id) as OutputOf<S>;
}
