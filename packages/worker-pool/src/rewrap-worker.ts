/**
 * A worker thread of {@link rewrapPool}: holds a keyring made from the keys it was started
 * with and answers each batch with `rewrapBatch` (a rotation's) or `sealBatch` (a migration's). Internal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKeyring, cryptoReady, type KeyEntry, rewrapBatch, sealBatch } from '@credvault/core';

type Job =
  | { readonly job: number; readonly namespace: string; readonly records: readonly (readonly [string, string])[] }
  | {
      readonly job: number;
      readonly seal: true;
      readonly namespace: string;
      readonly records?: readonly (readonly [string, string, string])[];
      /** The records packed by the pool: id, readable and secret text of each, each part ended by U+0000. */
      readonly text?: string;
    };

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

const entries = (workerData as { keys: KeyEntry[] }).keys;
const keyring = createKeyring(entries);
for (const { key } of entries) key.fill(0); // the keyring holds its own copy
// Batches posted meanwhile wait in the port's queue: every one is rewrapped on the fastest path.
await cryptoReady();
const port = parentPort;
port?.on('message', (message: Job | 'close') => {
  if (message === 'close') {
    port.close();
    return;
  }
  const work =
    'seal' in message
      ? sealBatch(
          keyring,
          message.namespace,
          message.text === undefined ? (message.records ?? []) : unpacked(message.text),
        )
      : rewrapBatch(keyring, message.namespace, message.records);
  work.then(
    (results) => port.postMessage({ job: message.job, ...packedResults('seal' in message, results) }),
    (error: unknown) => port.postMessage({ job: message.job, error: error instanceof Error ? error.name : 'Error' }),
  );
});
