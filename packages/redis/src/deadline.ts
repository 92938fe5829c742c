/**
 * What `start()` resolves to, or a rejection once `timeout` ms have passed: one promise and one
 * timer a call (a `Promise.race` against a deadline promise cost a `get` ~5 µs more than the bare
 * client's). `fail` turns what went wrong, the timeout included, into what the call rejects with;
 * it runs when it happens, so it sees the state of the call at that moment. Internal.
 */
export function withDeadline<T>(
  timeout: number,
  start: () => Promise<T>,
  fail: (error: unknown) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail(new Error(`timed out after ${timeout} ms`))), timeout);
    let started: Promise<T>;
    try {
      started = start();
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(fail(error));
      },
    );
  });
}
