import { type AnyCredentialSchema, connectionAuthSchema, connectionSchema, VaultError } from '@credvault/core';

/** The record schemas the CLI knows, by their `--schema` name. */
const SCHEMAS: Readonly<Record<string, AnyCredentialSchema>> = {
  connection: connectionSchema,
  'connection-auth': connectionAuthSchema,
};

/**
 * The schema `--schema` names (default `connection`).
 * @throws VaultError `INVALID_ARGUMENT` (path `schema`) for a name the CLI does not know.
 */
export function schemaNamed(name = 'connection'): AnyCredentialSchema {
  const schema = Object.hasOwn(SCHEMAS, name) ? SCHEMAS[name] : undefined;
  if (schema === undefined) {
    throw new VaultError('INVALID_ARGUMENT', `--schema must be one of ${Object.keys(SCHEMAS).join(', ')}`, {
      path: 'schema',
    });
  }
  return schema;
}
