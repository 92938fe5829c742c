import { Bench } from 'tinybench';

/** One measured case: median time per operation. */
export interface Measured {
  readonly name: string;
  readonly medianMs: number;
  readonly samples: number;
}

/** Runs the cases interleaved in one Bench (same process, same conditions) and returns their medians. */
export async function measure(cases: Record<string, () => unknown>, timeMs: number): Promise<Measured[]> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(500, timeMs / 4), warmupIterations: 20 });
  for (const [name, fn] of Object.entries(cases)) bench.add(name, fn);
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result as {
      latency?: { p50?: number; samplesCount?: number };
      error?: unknown;
      state?: string;
    };
    if (result.latency?.p50 === undefined)
      throw new Error(`${task.name} failed: ${String(result.error ?? result.state)}`);
    return { name: task.name, medianMs: result.latency.p50, samples: result.latency.samplesCount ?? 0 };
  });
}

/** Wall time of one run of `fn`, in ms. */
export async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
