import { checkFunction, checkWholeNumber, invalidArgument } from '../errors/index.js';

/** The longest timer a platform keeps (2^31 - 1 ms). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * What `start()` resolves to, or a rejection once `timeout` ms have passed, for a store's
 * operations: one promise and one timer a call (a `Promise.race` against a deadline promise cost
 * a Redis `get` ~5 µs more than the bare client's). `fail` turns what went wrong, the timeout
 * included (an `Error` "timed out after <timeout> ms"), into what the call rejects with. It runs
 * once, when that happens, so it sees the call's state at that moment; the work failing after
 * the timeout is not reported again, and what `fail` throws is what the call rejects with. The
 * work itself is not stopped at the timeout: bound it below as well (a statement timeout, a
 * connection that is dropped).
 *
 * @throws VaultError `INVALID_ARGUMENT` (rejected, path `timeout`, `start` or `fail`) for a
 * `timeout` that is not a whole number of ms from 1 to 2^31 - 1, or a `start` or `fail` that is
 * not a function.
 * @example
 * ```ts
 * const get = (key: string) =>
 *   withDeadline(5000, () => client.get(key), (error) => new VaultError('STORE_FAILED', `get failed: ${String(error)}`))
 * ```
 */
export function withDeadline<T>(
  timeout: number,
  start: () => Promise<T>,
  fail: (error: unknown) => unknown,
): Promise<T> {
  try {
    checkWholeNumber(timeout, 'timeout', 1);
    if ((timeout as number) > MAX_TIMEOUT_MS) throw invalidArgument('timeout', `at most ${MAX_TIMEOUT_MS} ms`);
    checkFunction(start, 'start');
    checkFunction(fail, 'fail');
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    /** Rejects once, with what `fail` makes of `error` (or what `fail` threw). */
    const failWith = (error: unknown) => {
      if (settled) return; // the work failing after the timeout: already reported
      settled = true;
      try {
        reject(fail(error));
      } catch (thrown) {
        reject(thrown);
      }
    };
    const timer = setTimeout(() => failWith(new Error(`timed out after ${timeout} ms`)), timeout);
    let started: Promise<T>;
    try {
      started = Promise.resolve(start());
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then(
      (value) => {
        clearTimeout(timer);
        settled = true;
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        failWith(error);
      },
    );
  });
}
