import { isVaultError } from '../errors/index.js';
import { envelopeKid, isLegacyValue, openRecord } from '../format/index.js';
import type { AnyCredentialSchema } from '../records/index.js';
import { kidBucket, type RotateOptions, type RotateReport, rotateStore } from '../rotation/index.js';
import type { VaultStore } from '../store/index.js';
import { INDEX_KEY_ID, idOfKey, isVaultId, iterate, recordPrefix } from '../store/index.js';
import { TENANT_RECORD_PREFIX } from '../tenants/index.js';
import { openIndexKey } from './blind-index.js';
import type { VaultContext } from './context.js';
import { open } from './read.js';
import type { KeyStatus, VerifyFailure, VerifyReport } from './types.js';

/**
 * Counts records per kid without decrypting anything: the application's records in `total`,
 * `kids` and `notOnPrimary`, the vault's own (`~index-key`, `~tenant:<t>`) apart in `vaultRecords`.
 * @throws VaultError `UNSUPPORTED` when the store cannot iterate, `STORE_FAILED`.
 */
export async function keyStatus(store: VaultStore, primaryKid: string, namespace: string): Promise<KeyStatus> {
  const kids: Record<string, number> = {};
  const own = { indexKey: 0, tenantKeys: 0, kids: {} as Record<string, number>, notOnPrimary: 0 };
  let total = 0;
  let legacy = 0;
  for await (const [key, stored] of iterate(store)(recordPrefix(namespace))) {
    const kid = kidBucket(envelopeKid(stored));
    const id = idOfKey(namespace, key);
    if (isVaultId(id)) {
      if (id === INDEX_KEY_ID) own.indexKey += 1;
      else if (id.startsWith(TENANT_RECORD_PREFIX)) own.tenantKeys += 1;
      own.kids[kid] = (own.kids[kid] ?? 0) + 1;
      if (kid !== primaryKid) own.notOnPrimary += 1;
      continue;
    }
    kids[kid] = (kids[kid] ?? 0) + 1;
    total += 1;
    if (isLegacyValue(stored)) legacy += 1;
  }
  const current = (kids[primaryKid] ?? 0) + (kids['~tenant'] ?? 0);
  return { primaryKid, total, kids, notOnPrimary: total - current, legacy, vaultRecords: own };
}

/** Opens and validates every record with `open`, collecting those that fail instead of stopping. */
export async function verifyStore(
  store: VaultStore,
  namespace: string,
  open: (id: string, stored: string) => Promise<unknown>,
  onProgress?: (report: VerifyReport) => void,
): Promise<VerifyReport> {
  const entries = iterate(store);
  const failed: VerifyFailure[] = [];
  let scanned = 0;
  for await (const [key, stored] of entries(recordPrefix(namespace))) {
    const id = idOfKey(namespace, key);
    scanned += 1;
    try {
      await open(id, stored);
    } catch (error) {
      if (!isVaultError(error)) throw error;
      failed.push({
        id,
        code: error.code,
        ...(error.path === undefined || error.path === '' ? {} : { path: error.path }),
      });
    }
    if (scanned % 1000 === 0) onProgress?.({ scanned, ok: scanned - failed.length, failed });
  }
  return { scanned, ok: scanned - failed.length, failed };
}

/** {@link Vault.rotate}: the records under the master keys (a tenant's are its own rotation's). */
export function rotate<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  options?: RotateOptions,
): Promise<RotateReport> {
  const { store, keyring, namespace, schema, rotateHooks, tenancy } = ctx;
  const route = tenancy?.masterRoute(options?.dryRun === true, options?.reencrypt === true);
  return rotateStore(store, keyring, namespace, options, schema, rotateHooks, route);
}

/** {@link Vault.verify}: every record opened and validated around the caches; the vault's own records by their own rules. */
export function verify<S extends AnyCredentialSchema>(
  ctx: VaultContext<S>,
  onProgress?: (report: VerifyReport) => void,
): Promise<VerifyReport> {
  const { store, namespace, keyring, tenancy } = ctx;
  const check = (id: string, stored: string): Promise<unknown> => {
    if (id === INDEX_KEY_ID) return openIndexKey(keyring, namespace, stored).then((key) => key.fill(0));
    if (tenancy !== undefined && id.startsWith(TENANT_RECORD_PREFIX)) return tenancy.verifyKeyRecord(id, stored);
    return isVaultId(id) ? openRecord(keyring, namespace, id, stored) : open(ctx, id, stored, false, 'none');
  };
  return verifyStore(store, namespace, check, onProgress);
}
