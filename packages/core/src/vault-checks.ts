import { VaultError } from './errors.js';
import type { AnyCredentialSchema } from './schema.js';
import type { VaultOptions } from './vault-types.js';

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_ID_LENGTH = 512;

/** A record id: 1 to 512 characters, not starting with `~` (the vault's own ids).
 * @throws VaultError `INVALID_ARGUMENT`. */
export function checkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || id.startsWith('~')) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `id must be a string of 1 to ${MAX_ID_LENGTH} characters, not starting with "~"`,
    );
  }
}

/** Compares two secret strings in time that depends only on their lengths. */
export function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** Checks the options of `createVault`.
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault. */
export function checkOptions<S extends AnyCredentialSchema>(options: VaultOptions<S>, namespace: string): void {
  if (!NAMESPACE.test(namespace)) {
    throw new VaultError('INVALID_ARGUMENT', `namespace must match ${NAMESPACE.source}`, { path: 'namespace' });
  }
  if (options.keyring === undefined || typeof options.keyring.wrap !== 'function') {
    throw new VaultError('INVALID_ARGUMENT', 'a keyring is required', { path: 'keyring' });
  }
  if (options.schema === undefined || !(options.schema.secret instanceof Set)) {
    throw new VaultError('INVALID_ARGUMENT', 'schema must come from defineCredentialSchema()', { path: 'schema' });
  }
  for (const field of options.index ?? []) {
    if (!options.schema.secret.has(field)) {
      throw new VaultError('INVALID_ARGUMENT', `index field "${field}" is not a secret field of the schema`, {
        path: 'index',
      });
    }
  }
}
