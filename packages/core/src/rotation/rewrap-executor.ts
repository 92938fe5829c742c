import { randomBytes, toBase64url } from '../crypto/index.js';
import { checkArray, invalidArgument, isVaultError, VaultError, type VaultErrorCode } from '../errors/index.js';
import { openRecord, rewrapHead, sealRecord, withHead } from '../format/index.js';
import { checkKeyEncryptionKeys, type KeyEncryptionKeys } from '../keys/index.js';

/**
 * One record's rewrap: the new envelope's head (`cv1.<kid>.<wrapped DEK>`, the part a rewrap
 * changes; the vault puts the stored envelope's sealed part and readable text after it), or the
 * code of the error that left it as it was.
 */
export type RewrapResult = string | { readonly code: VaultErrorCode };

/**
 * Runs the crypto of a rotation somewhere else, e.g. on worker threads (see
 * `@credvault/worker-pool`): the vault keeps reading and writing the store while batches are
 * rewrapped. Each record gets what {@link rewrapBatch} gives with keys whose primary is
 * `primaryKid`: the old envelope opened, the data key wrapped under the primary and checked.
 * Only the heads come back, so a batch's answer is a few dozen bytes a record, not its envelopes.
 */
export interface RewrapExecutor {
  /** The primary kid of the keys the executor wraps under; must be the vault's. */
  readonly primaryKid: string;
  /** Batches it can work on at once (worker threads: one each). */
  readonly concurrency: number;
  /** Rewraps each `[id, stored envelope]` of `namespace`, in order. */
  rewrap(namespace: string, records: readonly (readonly [string, string])[]): Promise<readonly RewrapResult[]>;
}

/**
 * Rewraps envelopes to `keys`' primary as a rotation does (open, wrap, check the new wrap), one
 * result per record: the new envelope's head, or the `VaultError` code that stopped it. What an
 * executor runs on each batch.
 * @throws VaultError `INVALID_ARGUMENT` (rejected) for `keys` that is not a keyring, a
 * `namespace` that is not a string, `records` that is not an array, or a record that is not an
 * `[id, stored]` pair of strings (path `records.<i>`); whatever else is not a `VaultError` (a
 * bug, not a record's fault).
 */
export async function rewrapBatch(
  keys: KeyEncryptionKeys,
  namespace: string,
  records: readonly (readonly [string, string])[],
): Promise<RewrapResult[]> {
  checkKeyEncryptionKeys(keys, 'keys');
  if (typeof namespace !== 'string') throw invalidArgument('namespace', 'a string');
  checkArray(records, 'records');
  records.forEach((record, index) => {
    if (!Array.isArray(record) || typeof record[0] !== 'string' || typeof record[1] !== 'string') {
      throw invalidArgument(`records.${index}`, 'an [id, stored envelope] pair of strings');
    }
  });
  const out: RewrapResult[] = [];
  for (const [id, stored] of records) {
    try {
      out.push(await rewrapHead(keys, namespace, id, stored));
    } catch (error) {
      if (!isVaultError(error)) throw error;
      out.push({ code: error.code });
    }
  }
  return out;
}

/**
 * The executor's results for a batch of `count`, checked: one per record, each a head or a code.
 * @throws VaultError `DECRYPT_FAILED` when the executor answered anything else.
 */
export function checkResults(results: readonly RewrapResult[], count: number): readonly RewrapResult[] {
  const ok =
    Array.isArray(results) &&
    results.length === count &&
    results.every((r) => typeof r === 'string' || (typeof r === 'object' && r !== null && typeof r.code === 'string'));
  if (!ok)
    throw new VaultError('DECRYPT_FAILED', 'the rewrap executor answered something that is not a result per record');
  return results;
}

/**
 * Checks, before a rotation writes anything, that `executor` wraps under the same key bytes as
 * `keyring`: a canary envelope sealed under the vault's primary key (never stored) must come
 * back rewrapped and open under the vault's keyring. An executor configured with other bytes
 * for the primary kid would otherwise write envelopes that nobody can open.
 * @throws VaultError `INVALID_ARGUMENT` (path `executor`) when it does not.
 */
export async function checkExecutorKeys(
  executor: RewrapExecutor,
  keyring: KeyEncryptionKeys,
  namespace: string,
): Promise<void> {
  const id = '~executor-canary';
  const secret = `{"canary":"${toBase64url(randomBytes(16))}"}`;
  const canary = await sealRecord(keyring, namespace, id, { readable: '{}', secret });
  const mismatch = new VaultError(
    'INVALID_ARGUMENT',
    `the rewrap executor's key "${keyring.primaryKid}" is not the vault's: give both the same keys`,
    { path: 'executor' },
  );
  const [result] = checkResults(await executor.rewrap(namespace, [[id, canary]]), 1);
  const moved = typeof result === 'string' ? withHead(canary, result, keyring.primaryKid) : undefined;
  if (moved === undefined) throw mismatch;
  const opened = await openRecord(keyring, namespace, id, moved).catch(() => undefined);
  if (opened?.secret !== secret) throw mismatch;
}
