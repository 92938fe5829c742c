import type { MigrateReport } from '@credvault/core';
import { type Io, openVault, printJson, type StoreCommandOptions } from '../context.js';
import { type LegacyFlags, legacyReaders } from '../legacy-flags.js';
import { MIGRATE_SETUP_URL, type MigrateSetupData } from '../migrate-setup.js';
import { progressView } from '../progress.js';
import { failureLines } from '../report-lines.js';
import { workerPool } from '../worker-pool.js';

/** Options of `credvault migrate`. */
export interface MigrateCommandOptions extends StoreCommandOptions, LegacyFlags {
  readonly dryRun?: boolean;
  readonly batchSize: number;
  /** Seal on worker threads: `true` for the pool's default (one per core but one), or how many. */
  readonly workers?: true | number;
}

function summary(report: MigrateReport, namespace: string): string {
  const lines = [
    `${report.dryRun ? 'dry run: would migrate' : 'migrated'} namespace "${namespace}"`,
    `  scanned            ${report.scanned}`,
    `  migrated           ${report.migrated}`,
    `  already envelopes  ${report.alreadyCurrent}`,
    `  changed meanwhile  ${report.changedMeanwhile}`,
    `  failed             ${report.failed.length}`,
    ...failureLines(report.failed),
  ];
  if (!report.dryRun && report.failed.length === 0) {
    lines.push('no legacy value left that the readers read: drop the legacy option from the application (strict)');
  }
  return `${lines.join('\n')}\n`;
}

/** The legacy flags of the command's options, alone (what a worker needs of them). */
function legacyFlagsOf(options: LegacyFlags): LegacyFlags {
  const { legacy, legacyKeyFile, legacyPrefix, legacyEncoding, legacyLayout, legacyModule } = options;
  return Object.fromEntries(
    Object.entries({ legacy, legacyKeyFile, legacyPrefix, legacyEncoding, legacyLayout, legacyModule }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

/**
 * `credvault migrate`: rewrites every legacy value as a `cv1` envelope, compare-and-set per
 * record; run it again after an interruption. Exit 0 only when nothing failed.
 */
export async function migrate(io: Io, options: MigrateCommandOptions): Promise<number> {
  const legacy = await legacyReaders(options, process.env);
  // The workers build the same schema and legacy readers from the same flags and key, and migrate whole.
  const { CREDVAULT_LEGACY_KEY } = process.env;
  const data: MigrateSetupData = {
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    legacy: legacyFlagsOf(options),
    env: CREDVAULT_LEGACY_KEY === undefined ? {} : { CREDVAULT_LEGACY_KEY },
  };
  const pool = await workerPool(
    options.workers,
    options.keysFile,
    [[options.tenantField !== undefined, '--tenant-field']],
    { module: MIGRATE_SETUP_URL, data },
  );
  const { vault } = await openVault(options, options.dryRun === true, { legacy }).catch(async (error: unknown) => {
    await pool?.close();
    throw error;
  });
  const view = progressView('migrate', io.stderr, options.json === true, 'migrated');
  try {
    const report = await vault.migrate({
      batchSize: options.batchSize,
      dryRun: options.dryRun === true,
      onProgress: (p) => view.update({ ...p, rewrapped: p.migrated }),
      ...(pool === undefined ? {} : { executor: pool }),
    });
    view.stop();
    if (options.json === true) printJson(io, report);
    else io.stdout.write(summary(report, vault.namespace));
    return report.failed.length === 0 ? 0 : 1;
  } finally {
    await pool?.close();
    await vault.close();
  }
}
