import { VaultError, withDeadline } from '@credvault/core';

/**
 * Runs `start` within `timeout` ms (core's `withDeadline`); whatever it fails with becomes
 * `STORE_FAILED` with the message `describe` makes of the reason, except a `VaultError`, which
 * is passed on as it is (e.g. replicas that did not confirm a write). `onFailure` runs first for
 * any failure that is not a `VaultError` (the cluster store drops its client there).
 */
export function withinDeadline<T>(
  timeout: number,
  start: () => Promise<T>,
  describe: (reason: string) => string,
  onFailure?: () => void,
): Promise<T> {
  return withDeadline(timeout, start, (error) => {
    if (error instanceof VaultError) return error;
    onFailure?.();
    const reason = error instanceof Error ? error.message : String(error);
    return new VaultError('STORE_FAILED', describe(reason), { cause: error });
  });
}
