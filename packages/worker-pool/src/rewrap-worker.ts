/**
 * A worker thread of {@link rewrapPool}: holds a keyring made from the keys it was started
 * with and answers each batch with `rewrapBatch`. Internal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKeyring, cryptoReady, type KeyEntry, rewrapBatch } from '@credvault/core';

interface Job {
  readonly job: number;
  readonly namespace: string;
  readonly records: readonly (readonly [string, string])[];
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
  rewrapBatch(keyring, message.namespace, message.records).then(
    (results) => port.postMessage({ job: message.job, results }),
    (error: unknown) => port.postMessage({ job: message.job, error: error instanceof Error ? error.name : 'Error' }),
  );
});
