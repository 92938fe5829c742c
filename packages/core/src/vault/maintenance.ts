import { isVaultError, type VaultErrorCode } from '../errors/index.js';
import { envelopeKid } from '../format/index.js';
import { kidBucket } from '../rotation/index.js';
import type { VaultStore } from '../store/index.js';
import { idOfKey, iterate, recordPrefix } from '../store/index.js';

/** Records per key id: when an old kid counts zero, it can leave the keyring. */
export interface KeyStatus {
  readonly primaryKid: string;
  readonly total: number;
  /** Records per kid (`?`: not a cv1 envelope; `~tenant`: under tenant keys, which the master rotation leaves alone). */
  readonly kids: Readonly<Record<string, number>>;
  /** Records on any master kid but the primary. */
  readonly notOnPrimary: number;
}

/** A record that does not open or validate. */
export interface VerifyFailure {
  readonly id: string;
  readonly code: VaultErrorCode;
  /** Field path, for `VALIDATION_FAILED`. */
  readonly path?: string;
}

/** What `verify` found. */
export interface VerifyReport {
  readonly scanned: number;
  readonly ok: number;
  readonly failed: readonly VerifyFailure[];
}

/** Counts records per kid without decrypting anything. */
export async function keyStatus(store: VaultStore, primaryKid: string, namespace: string): Promise<KeyStatus> {
  const kids: Record<string, number> = {};
  let total = 0;
  for await (const [, stored] of iterate(store)(recordPrefix(namespace))) {
    const kid = kidBucket(envelopeKid(stored));
    kids[kid] = (kids[kid] ?? 0) + 1;
    total += 1;
  }
  const current = (kids[primaryKid] ?? 0) + (kids['~tenant'] ?? 0);
  return { primaryKid, total, kids, notOnPrimary: total - current };
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
