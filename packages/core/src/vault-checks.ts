import { VaultError } from './errors.js';
import type { AnyCredentialSchema } from './schema.js';
import { checkNamespace } from './store-keys.js';
import type { VaultOptions } from './vault-types.js';

/** Compares two secret strings in time that depends only on their lengths. */
export function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** Checks the options of `createVault` (ids are checked by `checkId` in store-keys.ts).
 * @throws VaultError `INVALID_ARGUMENT` naming the option at fault. */
export function checkOptions<S extends AnyCredentialSchema>(options: VaultOptions<S>, namespace: string): void {
  checkNamespace(namespace);
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
