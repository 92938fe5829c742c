import type { TelemetrySpan } from './types.js';

/**
 * Runs async `work` inside `span` and ends the span with its outcome: what the vault does for
 * every operation and store call it reports. Returns what `work` returns; rethrows its error.
 */
export async function inSpan<T>(span: TelemetrySpan, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await span.run(work);
  } catch (error) {
    span.end(error);
    throw error;
  }
  span.end();
  return result;
}

/** Iterates `source` with each step inside `span`, ending it when the iteration ends, fails or is left. */
export async function* observedIteration<T>(
  span: TelemetrySpan,
  source: AsyncIterator<T, void, undefined>,
): AsyncGenerator<T, void, undefined> {
  let ended = false;
  try {
    for (;;) {
      const step = await span.run(() => source.next());
      if (step.done === true) break;
      yield step.value;
    }
  } catch (error) {
    ended = true;
    span.end(error);
    throw error;
  } finally {
    if (!ended) {
      await source.return?.();
      span.end();
    }
  }
}
