import { VaultError } from '@credvault/core';
import type { RewrapPool, RewrapPoolOptions } from '@credvault/worker-pool';
import { localKeyEntries, readKeySpecs } from './keys.js';
import { loadPackage } from './load-package.js';

/**
 * The worker pool `--workers` asks for (`true`: the pool's default size), or `undefined` without
 * it. The workers hold copies of the keys, so every key must be local; `refused` lists the flags
 * given that make the command work in this thread, for which `--workers` is refused rather than
 * ignored. `migrate`: the pool's option of that name, for workers that migrate legacy values whole.
 * @throws VaultError `INVALID_ARGUMENT` (path `workers`) for a wrapped or remote key or a refused flag.
 */
export async function workerPool(
  workers: true | number | undefined,
  keysFile: string | undefined,
  refused: readonly (readonly [given: boolean, flag: string])[],
  migrate?: RewrapPoolOptions['migrate'],
): Promise<RewrapPool | undefined> {
  if (workers === undefined) return undefined;
  for (const [given, flag] of refused) {
    if (given) {
      throw new VaultError('INVALID_ARGUMENT', `--workers does not apply with ${flag}, which works in one thread`, {
        path: 'workers',
      });
    }
  }
  const keys = localKeyEntries(await readKeySpecs(keysFile), '--workers');
  try {
    // Only when asked (threads, not a store); a runtime without worker threads fails here, typed.
    const { rewrapPool } = await loadPackage(
      '@credvault/worker-pool',
      { flag: '--workers', path: 'workers' },
      () => import('@credvault/worker-pool'),
    );
    return rewrapPool({
      keys,
      ...(workers === true ? {} : { size: workers }),
      ...(migrate === undefined ? {} : { migrate }),
    });
  } finally {
    for (const { key } of keys) key.fill(0); // each worker holds its own copy
  }
}
