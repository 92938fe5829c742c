import { readFileSync } from 'node:fs';
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

/**
 * Runs the cases in turns of `sliceMs` each (the first case of a turn moving on by one every
 * turn) until each has run `timeMs` in all, after one untimed turn of warm-up, and returns each
 * case's median over all its samples. Cases on one store thus see the same moments of it: a
 * store whose latency moves between modes over seconds (PostgreSQL on these VMs) moves them all
 * alike, where {@link measure} gives each case its own window.
 */
export async function measureInterleaved(
  cases: Record<string, () => unknown>,
  timeMs: number,
  sliceMs = 50,
): Promise<Measured[]> {
  const entries = Object.entries(cases);
  const samples = entries.map((): number[] => []);
  const turns = Math.ceil(timeMs / sliceMs);
  for (let turn = -1; turn < turns; turn++) {
    for (let k = 0; k < entries.length; k++) {
      const index = (Math.max(turn, 0) + k) % entries.length;
      const [, fn] = entries[index] as [string, () => unknown];
      const into = turn < 0 ? [] : (samples[index] as number[]);
      const end = performance.now() + sliceMs;
      for (let now = performance.now(); now < end; ) {
        await fn();
        const after = performance.now();
        into.push(after - now);
        now = after;
      }
    }
  }
  return entries.map(([name], index) => {
    const sorted = (samples[index] as number[]).sort((a, b) => a - b);
    return { name, medianMs: sorted[sorted.length >> 1] as number, samples: sorted.length };
  });
}

/** Wall time of one run of `fn`, in ms. */
export async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Busy CPU time of the whole machine so far (user, nice, system, irq, softirq), in ms; `undefined` without /proc/stat. */
function machineBusyMs(): number | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
    return (user + nice + system + irq + softirq) * 10; // USER_HZ is 100
  } catch {
    return undefined;
  }
}

/**
 * CPU time spent while `fn` ran, in ms: by the whole machine where /proc/stat tells it (so the
 * Redis or PostgreSQL server the bench started, which shares the cores, is counted), else by
 * this process.
 */
export async function cpuOf(fn: () => Promise<unknown>): Promise<number> {
  const [machine, own] = [machineBusyMs(), process.cpuUsage()];
  await fn();
  const after = machineBusyMs();
  if (machine !== undefined && after !== undefined) return after - machine;
  const used = process.cpuUsage(own);
  return (used.user + used.system) / 1000;
}

/** Whether {@link cpuOf} counts the whole machine here. */
export const countsMachineCpu: boolean = machineBusyMs() !== undefined;
