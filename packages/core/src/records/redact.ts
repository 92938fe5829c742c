import { invalidArgument, isRecordLike } from '../errors/index.js';
import { connectionSchema } from './connection.js';
import { connectionAuthSchema } from './connection-auth.js';
import { type AnyCredentialSchema, isCredentialSchema } from './schema.js';

/** What a redacted secret field is replaced with. */
export const REDACTED = '[REDACTED]';

const BUILT_IN_SECRETS: ReadonlySet<string> = new Set([...connectionSchema.secret, ...connectionAuthSchema.secret]);

/** A record with its secret fields replaced by {@link REDACTED}. */
export type Redacted<T> = { [K in keyof T]: T[K] | typeof REDACTED };

/**
 * A copy of `record` fit for logs: every secret field that is present is replaced by
 * `[REDACTED]`, everything else kept.
 *
 * @param record - a record of any shape
 * @param schema - whose secret fields to hide; by default those of `connectionSchema` and
 * `connectionAuthSchema`
 * @throws VaultError `INVALID_ARGUMENT` naming `record` (not an object) or `schema` (not a
 * credential schema with a `secret` set).
 */
export function redact<T extends object>(record: T, schema?: AnyCredentialSchema): Redacted<T> {
  if (!isRecordLike(record)) throw invalidArgument('record', 'a record (an object)');
  if (schema !== undefined && !isCredentialSchema(schema)) {
    throw invalidArgument('schema', 'a credential schema (or left out)');
  }
  const secret = schema?.secret ?? BUILT_IN_SECRETS;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    copy[key] = secret.has(key) && value !== undefined ? REDACTED : value;
  }
  return copy as Redacted<T>;
}
