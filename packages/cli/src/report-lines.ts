import type { RotateFailure, RotateReport } from '@credvault/core';

/** How many failed records a text report lists by id; `--json` lists them all. */
export const LISTED_FAILURES = 20;

/**
 * The lines listing a rotation's failed records: the first {@link LISTED_FAILURES} by id and
 * error code, then how many more. Empty when none failed.
 */
export function failureLines(failed: readonly RotateFailure[]): string[] {
  const lines = failed.slice(0, LISTED_FAILURES).map((f) => `  ! ${f.id}: ${f.code} (left as it was)`);
  if (failed.length > LISTED_FAILURES) lines.push(`  ! ... and ${failed.length - LISTED_FAILURES} more (see --json)`);
  return lines;
}

/**
 * The line a `--reencrypt` run adds: how many records were (or, dry run, would be) sealed
 * again, and that the failed ones were not, rather than a claim about every record.
 */
export function resealedLine(report: RotateReport): string {
  const what = report.dryRun ? 'would be re-sealed' : 're-sealed';
  const failed = report.failed.length === 0 ? '' : `; not the ${report.failed.length} failed below`;
  return `  (${report.rewrapped} ${what} under fresh data keys, each field in the part the schema puts it in now${failed})`;
}
