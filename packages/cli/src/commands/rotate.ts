import { type JoinOptions, type RotateReport, VaultError } from '@credvault/core';
import { type Io, openVault, printJson, type StoreCommandOptions } from '../context.js';
import { progressView } from '../progress.js';
import { failureLines, resealedLine } from '../report-lines.js';
import { workerPool } from '../worker-pool.js';

/** Options of `credvault rotate`. */
export interface RotateCommandOptions extends StoreCommandOptions {
  readonly dryRun?: boolean;
  readonly batchSize: number;
  readonly reencrypt?: boolean;
  /** Rewrap on worker threads: `true` for the pool's default (one per core but one), or how many. */
  readonly workers?: true | number;
  /** Join a rotation run by many processes (`--join`), with its run id, range size and lease. */
  readonly join?: boolean;
  readonly runId?: string;
  readonly rangeSize?: number;
  readonly leaseMs?: number;
}

/**
 * The `join` option of the rotation, or `undefined` without `--join`.
 * @throws VaultError `INVALID_ARGUMENT` for `--run-id`, `--range-size` or `--lease-ms` without `--join`.
 */
function joinOptions(options: RotateCommandOptions): JoinOptions | undefined {
  const { runId, rangeSize, leaseMs } = options;
  if (options.join !== true) {
    if (runId !== undefined || rangeSize !== undefined || leaseMs !== undefined) {
      throw new VaultError('INVALID_ARGUMENT', '--run-id, --range-size and --lease-ms go with --join', {
        path: 'join',
      });
    }
    return undefined;
  }
  return {
    ...(runId === undefined ? {} : { runId }),
    ...(rangeSize === undefined ? {} : { rangeSize }),
    ...(leaseMs === undefined ? {} : { leaseMs }),
  };
}

function summary(report: RotateReport, namespace: string, reencrypt: boolean): string {
  const kids =
    Object.entries(report.kids)
      .map(([kid, n]) => `${kid}: ${n}`)
      .join(', ') || 'none';
  const lines = [
    `${report.dryRun ? 'dry run: would rotate' : 'rotated'} namespace "${namespace}" to kid ${report.primaryKid}${report.aborted ? ' (stopped early: run again to finish)' : ''}`,
    `  scanned            ${report.scanned}`,
    `  rewrapped          ${report.rewrapped}`,
    `  already current    ${report.alreadyCurrent}`,
    `  changed meanwhile  ${report.changedMeanwhile}`,
    `  failed             ${report.failed.length}`,
    `  kids found         ${kids}`,
  ];
  const { join } = report;
  if (join !== undefined) {
    lines.push(
      `  run                ${join.runId}: ${join.ranges} ranges by ${join.processes} processes (the counts above are the whole run's)`,
      `  this process       ${join.mine.ranges} ranges, ${join.mine.rewrapped} rewrapped`,
    );
  }
  if (reencrypt) lines.push(resealedLine(report));
  lines.push(...failureLines(report.failed));
  return `${lines.join('\n')}\n`;
}

/** `credvault rotate`: exit 0 only when no record failed and the run was not stopped. */
export async function rotate(io: Io, options: RotateCommandOptions): Promise<number> {
  const join = joinOptions(options);
  const pool = await workerPool(options.workers, options.keysFile, [
    [options.reencrypt === true, '--reencrypt'],
    [options.tenantField !== undefined, '--tenant-field'],
  ]);
  const { vault } = await openVault(options, options.dryRun === true).catch(async (error: unknown) => {
    await pool?.close();
    throw error;
  });
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr.write('\ncredvault: stopping after the current batch (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
  const view = progressView('rotate', io.stderr, options.json === true);
  try {
    const report = await vault.rotate({
      batchSize: options.batchSize,
      dryRun: options.dryRun === true,
      reencrypt: options.reencrypt === true,
      signal: controller.signal,
      onProgress: (p) => view.update(p),
      ...(pool === undefined ? {} : { executor: pool }),
      ...(join === undefined ? {} : { join }),
    });
    view.stop();
    if (options.json === true) printJson(io, report);
    else io.stdout.write(summary(report, vault.namespace, options.reencrypt === true));
    return report.failed.length === 0 && !report.aborted ? 0 : 1;
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    await pool?.close();
    await vault.close();
  }
}
