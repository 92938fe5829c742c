import { randomBytes, toBase64url } from '../crypto/index.js';
import {
  checkArray,
  invalidArgument,
  isVaultError,
  optionsArgument,
  VaultError,
  type VaultErrorCode,
} from '../errors/index.js';
import {
  envelopeKid,
  isLegacyValue,
  type LegacyReader,
  legacyReaders,
  openRecord,
  type RecordText,
  sealRecord,
} from '../format/index.js';
import { checkKeyEncryptionKeys, type KeyEncryptionKeys } from '../keys/index.js';
import { type AnyCredentialSchema, encodeRecord, isCredentialSchema } from '../records/index.js';

/**
 * One record sealed by a {@link SealExecutor}: its envelope up to its readable text
 * (`cv1.<kid>.<wrapped DEK>.<sealed>`; the vault appends `.<readable>`, which it sent), or the
 * code of the error that stopped it.
 */
export type SealResult = string | { readonly code: VaultErrorCode };

/**
 * One legacy value migrated by {@link SealExecutor.migrate}: its whole `cv1` envelope and the
 * name of the legacy reader that read it, or the code (and field path) of the error that stopped it.
 */
export type MigrateResult =
  | readonly [envelope: string, reader: string]
  | { readonly code: VaultErrorCode; readonly path?: string };

/**
 * Seals records somewhere else, e.g. on worker threads (see `@credvault/worker-pool`), so that
 * the thread that reads and writes the store only validates them: what `vault.migrate({ executor })`
 * uses. Each record gets what {@link sealBatch} gives with keys whose primary is `primaryKid`.
 * The records arrive validated and encoded (their canonical texts), so the executor never needs
 * the schema.
 */
export interface SealExecutor {
  /** The primary kid of the keys the executor seals under; must be the vault's. */
  readonly primaryKid: string;
  /** Batches it can work on at once (worker threads: one each). */
  readonly concurrency: number;
  /** Seals each `[id, readable text, secret text]` of `namespace`, in order. */
  seal(namespace: string, records: readonly (readonly [string, string, string])[]): Promise<readonly SealResult[]>;
  /**
   * Optional: reads, validates and seals each `[id, stored legacy value]` of `namespace` itself,
   * in order, as {@link legacyMigrator} does with the vault's own schema and legacy readers.
   * `vault.migrate` then leaves the thread that drives the store only the reads and writes,
   * where the store has `compareAndSetMany` and no blind index needs upkeep. It checks the first
   * envelope of every batch against what it would have written itself before writing the batch.
   */
  migrate?(
    namespace: string,
    values: readonly (readonly [id: string, stored: string])[],
  ): Promise<readonly MigrateResult[]>;
}

/** Options of {@link legacyMigrator}: the vault's keys, schema and legacy readers. */
export interface LegacyMigratorOptions<S extends AnyCredentialSchema> {
  readonly keys: KeyEncryptionKeys;
  readonly schema: S;
  readonly legacy: LegacyReader | readonly LegacyReader[];
}

/**
 * What an executor's {@link SealExecutor.migrate} runs on each batch: every legacy value read
 * through `legacy`, validated by `schema` and sealed under `keys`' primary, as `vault.migrate`
 * does in its own thread; one {@link MigrateResult} per value.
 * @throws VaultError `INVALID_ARGUMENT` at once for options that are not an object, keys that
 * are not a keyring, a schema not from `defineCredentialSchema` or a bad `legacy`; from the
 * function, for a `namespace` that is not a string or `values` that are not `[id, stored]`
 * string pairs (path `values.<i>`).
 */
export function legacyMigrator<S extends AnyCredentialSchema>(
  options: LegacyMigratorOptions<S>,
): (namespace: string, values: readonly (readonly [string, string])[]) => Promise<MigrateResult[]> {
  const { keys, schema, legacy } = optionsArgument(options);
  checkKeyEncryptionKeys(keys, 'keys');
  if (!isCredentialSchema(schema)) {
    throw invalidArgument('schema', 'a credential schema (from defineCredentialSchema)');
  }
  const readers = legacyReaders(legacy);
  if (readers === undefined) throw invalidArgument('legacy', 'a legacy reader or a list of them');
  return async (namespace, values) => {
    if (typeof namespace !== 'string') throw invalidArgument('namespace', 'a string');
    checkStringTuples(values, 'values', 2, 'an [id, stored value] pair of strings');
    const out: MigrateResult[] = [];
    for (const [id, stored] of values) {
      try {
        const read = isLegacyValue(stored) ? await readers.read(stored, id) : undefined;
        if (read === undefined) throw new VaultError('DECRYPT_FAILED', 'no legacy reader reads the value', { id });
        const { text } = encodeRecord(schema, read.input, id, { storedAt: new Date() });
        out.push([await sealRecord(keys, namespace, id, text), read.reader]);
      } catch (error) {
        if (!isVaultError(error)) throw error;
        out.push(error.path === undefined ? { code: error.code } : { code: error.code, path: error.path });
      }
    }
    return out;
  };
}

/**
 * Seals encoded records under `keys`' primary as a vault write does, one result per record:
 * its envelope without the readable text (see {@link SealResult}), or the `VaultError` code that
 * stopped it. What an executor runs on each batch.
 * @throws VaultError `INVALID_ARGUMENT` for `keys` that is not a keyring, a `namespace` that is
 * not a string, `records` that is not an array, or a record that is not three strings (path
 * `records.<i>`).
 */
export async function sealBatch(
  keys: KeyEncryptionKeys,
  namespace: string,
  records: readonly (readonly [string, string, string])[],
): Promise<SealResult[]> {
  checkKeyEncryptionKeys(keys, 'keys');
  if (typeof namespace !== 'string') throw invalidArgument('namespace', 'a string');
  checkStringTuples(records, 'records', 3, 'an [id, readable text, secret text] triple of strings');
  const out: SealResult[] = [];
  for (const [id, readable, secret] of records) {
    try {
      const envelope = await sealRecord(keys, namespace, id, { readable, secret });
      out.push(envelope.slice(0, envelope.length - readable.length - 1));
    } catch (error) {
      if (!isVaultError(error)) throw error;
      out.push({ code: error.code });
    }
  }
  return out;
}

/**
 * The envelopes of a batch an executor sealed: each result joined to its record's readable text.
 * @throws VaultError `DECRYPT_FAILED` when the executor answered anything but one result per
 * record, each an envelope head and sealed part under `primaryKid` or an error code: nothing it
 * answered is written then.
 */
export function sealedEnvelopes(
  results: readonly SealResult[],
  texts: readonly RecordText[],
  primaryKid: string,
): (string | { readonly code: VaultErrorCode })[] {
  const bad = () =>
    new VaultError('DECRYPT_FAILED', 'the seal executor answered something that is not a result per record');
  if (!Array.isArray(results) || results.length !== texts.length) throw bad();
  return results.map((result, i) => {
    if (typeof result === 'object' && result !== null && typeof result.code === 'string') return { code: result.code };
    if (typeof result !== 'string' || envelopeKid(result) !== primaryKid || result.split('.').length !== 4) throw bad();
    return `${result}.${(texts[i] as RecordText).readable}`;
  });
}

/**
 * Checks, before a migration writes anything, that `executor` seals under the same key bytes as
 * `keyring`: a canary record it seals (never stored) must open under the vault's keyring. An
 * executor configured with other bytes for the primary kid would otherwise write envelopes that
 * nobody can open, over values that are then gone.
 * @throws VaultError `INVALID_ARGUMENT` (path `executor`) when it does not.
 */
export async function checkSealExecutor(
  executor: SealExecutor,
  keyring: KeyEncryptionKeys,
  namespace: string,
): Promise<void> {
  const mismatch = new VaultError(
    'INVALID_ARGUMENT',
    `the seal executor's key "${executor.primaryKid}" is not the vault's "${keyring.primaryKid}": give both the same keys`,
    { path: 'executor' },
  );
  if (executor.primaryKid !== keyring.primaryKid) throw mismatch;
  const id = '~executor-canary';
  const text = { readable: '{}', secret: `{"canary":"${toBase64url(randomBytes(16))}"}` };
  const [sealed] = sealedEnvelopes(
    await executor.seal(namespace, [[id, text.readable, text.secret]]),
    [text],
    keyring.primaryKid,
  );
  const opened =
    typeof sealed === 'string' ? await openRecord(keyring, namespace, id, sealed).catch(() => undefined) : undefined;
  if (opened?.secret !== text.secret) throw mismatch;
}

/**
 * @throws VaultError `INVALID_ARGUMENT` (path `path`) for a `list` that is not an array, (path
 * `<path>.<i>`, saying `expected`) for an item that is not an array of `width` strings.
 */
function checkStringTuples(list: readonly unknown[], path: string, width: number, expected: string): void {
  checkArray(list, path);
  list.forEach((item, index) => {
    if (!Array.isArray(item) || item.length !== width || item.some((part) => typeof part !== 'string')) {
      throw invalidArgument(`${path}.${index}`, expected);
    }
  });
}
