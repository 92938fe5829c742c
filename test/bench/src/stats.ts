/** Spread of one figure over several runs. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly runs: number;
}

/** Min, median and max of `values` (one per run). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no runs');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number, runs: values.length };
}

/** `median (min–max)` with `format`, or just the value for one run. */
export function showSpread(s: Spread, format: (value: number) => string): string {
  return s.runs === 1 ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

/** Per-run ratios `a[i] / b[i]`. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / (b[i] as number));
}
