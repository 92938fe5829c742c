/**
 * A worker thread of {@link rewrapPool}: holds a keyring made from the keys it was started
 * with and answers each batch with `rewrapBatch` (a rotation's), `sealBatch` (a migration's) or,
 * given the pool's `migrate` option, a `legacyMigrator` over the schema and legacy readers its
 * module sets up (a migration's, whole). Internal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  createKeyring,
  cryptoReady,
  isVaultError,
  type KeyEntry,
  legacyMigrator,
  rewrapBatch,
  sealBatch,
  VaultError,
} from '@credvault/core';
import type { MigrateSetup } from './rewrap-pool.js';

type Job = { readonly job: number; readonly namespace: string } & (
  | { readonly kind: 'rewrap'; readonly records: readonly (readonly [string, string])[] }
  | {
      readonly kind: 'seal';
      readonly records?: readonly (readonly [string, string, string])[];
      /** The records packed by the pool: id, readable and secret text of each, each part ended by U+0000. */
      readonly text?: string;
    }
  | { readonly kind: 'migrate'; readonly records: readonly (readonly [string, string])[] }
);

/** The records of a packed seal batch. */
function unpacked(text: string): [string, string, string][] {
  const parts = text.split('\u0000');
  const records: [string, string, string][] = [];
  for (let i = 0; i + 2 < parts.length; i += 3)
    records.push([parts[i], parts[i + 1], parts[i + 2]] as [string, string, string]);
  return records;
}

/**
 * A batch's answer: a seal batch whose results are all envelopes as one string, joined by
 * U+0000 (which no envelope holds), copied to the main thread in one piece; else the results.
 */
function packedResults(seal: boolean, results: readonly unknown[]): { text: string } | { results: readonly unknown[] } {
  const packable = results.length > 0 && results.every((r) => typeof r === 'string' && !r.includes('\u0000'));
  return seal && packable ? { text: results.join('\u0000') } : { results };
}

const { keys: entries, migrate } = workerData as { keys: KeyEntry[]; migrate?: { module: string; data: unknown } };
const keyring = createKeyring(entries);
for (const { key } of entries) key.fill(0); // the keyring holds its own copy
/** The migrator the `migrate` module sets up, or why there is none (a VaultError's message, another error's name). */
const migrator = await (async () => {
  if (migrate === undefined) return 'no migrate option';
  try {
    const setup = (await import(migrate.module)) as {
      default: (data: unknown) => MigrateSetup | Promise<MigrateSetup>;
    };
    const { schema, legacy } = await setup.default(migrate.data);
    return legacyMigrator({ keys: keyring, schema, legacy });
  } catch (error) {
    return isVaultError(error) ? error.message : error instanceof Error ? error.name : 'Error';
  }
})();
// Batches posted meanwhile wait in the port's queue: every one is rewrapped on the fastest path.
await cryptoReady();
const port = parentPort;
port?.on('message', (message: Job | 'close') => {
  if (message === 'close') {
    port.close();
    return;
  }
  const { kind, namespace } = message;
  const work =
    kind === 'seal'
      ? sealBatch(keyring, namespace, message.text === undefined ? (message.records ?? []) : unpacked(message.text))
      : kind === 'rewrap'
        ? rewrapBatch(keyring, namespace, message.records)
        : typeof migrator === 'string'
          ? Promise.reject(new VaultError('INVALID_ARGUMENT', `the migrate module failed (${migrator})`))
          : migrator(namespace, message.records);
  work.then(
    (results: readonly unknown[]) => port.postMessage({ job: message.job, ...packedResults(kind === 'seal', results) }),
    (error: unknown) =>
      port.postMessage({
        job: message.job,
        error: isVaultError(error) ? error.message : error instanceof Error ? error.name : 'Error',
      }),
  );
});
