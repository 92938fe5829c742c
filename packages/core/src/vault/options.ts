import { VaultError } from '../errors/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import { checkNamespace } from '../store/index.js';
import type { VaultOptions } from './types.js';

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
  checkTenantOptions(options);
}

/** The longest `tenantCacheTtlMs` a vault accepts: what `rotateTenant` waits for by default before it retires a key. */
export const MAX_TENANT_CACHE_TTL_MS: number = 10 * 60_000;

function checkTenantOptions<S extends AnyCredentialSchema>(options: VaultOptions<S>): void {
  const { tenant, tenantCacheTtlMs, store } = options;
  if (tenant === undefined) return;
  if (typeof tenant === 'string' && (!options.schema.fields.includes(tenant) || options.schema.secret.has(tenant))) {
    throw new VaultError('INVALID_ARGUMENT', `tenant "${tenant}" must name a readable field of the schema`, {
      path: 'tenant',
    });
  }
  if (typeof tenant !== 'string' && typeof tenant !== 'function') {
    throw new VaultError('INVALID_ARGUMENT', 'tenant must be a readable field name or a function', { path: 'tenant' });
  }
  const ttl = tenantCacheTtlMs ?? 0;
  if (!Number.isSafeInteger(ttl) || ttl < 0 || ttl > MAX_TENANT_CACHE_TTL_MS) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `tenantCacheTtlMs must be a whole number from 0 to ${MAX_TENANT_CACHE_TTL_MS}`,
      {
        path: 'tenantCacheTtlMs',
      },
    );
  }
  // A tenant's first key is made by insert-if-absent: without it two writers could each make one
  // and the second would overwrite the first, losing every record sealed under it.
  if (store?.compareAndSet === undefined) {
    throw new VaultError(
      'UNSUPPORTED',
      `tenant keys need a store with compare-and-set; the ${store?.name ?? 'default'} store has none`,
      {
        path: 'tenant',
      },
    );
  }
}
