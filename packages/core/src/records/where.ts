import { invalidArgument, isVaultError, VaultError } from '../errors/index.js';
import { canonicalJson, parseObject } from '../format/index.js';
import type { AnyCredentialSchema } from './schema.js';

/** Compiles a `where` filter into a test on the readable JSON text of a stored record. */
export function compileWhere(
  schema: AnyCredentialSchema,
  where: object | undefined,
): (readable: string, id: string) => boolean {
  const wanted = Object.entries(where ?? {}).filter(([, value]) => value !== undefined);
  for (const [field] of wanted) {
    if (!schema.fields.includes(field) || schema.secret.has(field)) {
      const why = schema.secret.has(field) ? 'is secret' : 'is not a field of the schema';
      throw new VaultError('INVALID_ARGUMENT', `cannot filter on "${field}": it ${why}`, { path: field });
    }
  }
  if (wanted.length === 0) return () => true;
  const expected = wanted.map(([field, value]) => [field, whereJson(field, value)] as const);
  return (readable, id) => {
    const fields = parseObject(readable, 'readable', id);
    return expected.every(([field, value]) => canonicalJson(fields[field] ?? null) === value);
  };
}

/**
 * The canonical JSON of a filter value.
 * @throws VaultError `INVALID_ARGUMENT` (path `where.<field>`) for a value JSON cannot hold.
 */
function whereJson(field: string, value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    if (!isVaultError(error, 'INVALID_ARGUMENT')) throw error;
    throw invalidArgument(`where.${field}`, 'a JSON value (no bigint, symbol, function or invalid Date)');
  }
}
