import { VaultError } from '@credvault/core';
import { type Io, openVault, printJson, type StoreCommandOptions } from '../context.js';
import { progressView } from '../progress.js';
import { failureLines, resealedLine } from '../report-lines.js';

/** Options of `credvault tenant rotate` and `credvault tenant shred`. */
export interface TenantCommandOptions extends StoreCommandOptions {
  readonly tenantField: string;
  readonly batchSize?: number;
  readonly dryRun?: boolean;
  /** `tenant rotate --reencrypt`: also seal the tenant's secrets again under fresh data keys. */
  readonly reencrypt?: boolean;
  readonly instancesCacheTtl?: number;
  readonly yes?: boolean;
}

/** `credvault tenant rotate <tenant>`: exit 0 when every record of the tenant moved (the old key may stay until `retireAfter`). */
export async function rotateTenant(io: Io, tenant: string, options: TenantCommandOptions): Promise<number> {
  const { vault } = await openVault(options, options.dryRun === true);
  const view = progressView(`rotate ${tenant}`, io.stderr, options.json === true);
  try {
    const report = await vault.rotateTenant(tenant, {
      dryRun: options.dryRun === true,
      reencrypt: options.reencrypt === true,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.instancesCacheTtl === undefined ? {} : { instancesCacheTtlMs: options.instancesCacheTtl }),
      onProgress: (p) => view.update(p),
    });
    view.stop();
    if (options.json === true) printJson(io, report);
    else {
      const retire = report.retired
        ? 'old key retired'
        : report.retireAfter === undefined
          ? 'old key kept (run again to retire it)'
          : `old key kept until ${report.retireAfter.toISOString()} (every instance's cache has let it go by then): run again after that to retire it`;
      const lines = [
        `${report.dryRun ? 'dry run: would rotate' : 'rotated'} tenant "${tenant}" to kid ${report.primaryKid}${report.aborted ? ' (stopped early: run again to finish)' : ''}`,
        `  rewrapped          ${report.rewrapped}`,
        `  already current    ${report.alreadyCurrent}`,
        `  changed meanwhile  ${report.changedMeanwhile}`,
        `  failed             ${report.failed.length}`,
        `  ${retire}`,
      ];
      if (options.reencrypt === true) lines.push(resealedLine(report));
      lines.push(...failureLines(report.failed));
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return report.failed.length === 0 && !report.aborted ? 0 : 1;
  } finally {
    await vault.close();
  }
}

/**
 * `credvault tenant shred <tenant> --yes`: destroys the tenant's key, then deletes its records.
 * Exit 1, said on stderr, when the tenant had neither a key nor a record (a typo, or the wrong
 * namespace or `--tenant-field`): nothing was shredded, which must not look like success. Exit 1
 * as `credvault tenant rotate` of a tenant without a key (`TENANT_KEY_GONE`).
 */
export async function shredTenant(io: Io, tenant: string, options: TenantCommandOptions): Promise<number> {
  if (options.yes !== true) {
    throw new VaultError('INVALID_ARGUMENT', `shredding "${tenant}" cannot be undone: pass --yes`, { path: 'yes' });
  }
  const { vault } = await openVault(options, false);
  try {
    const report = await vault.shred(tenant);
    if (!report.keyDestroyed && report.deleted === 0) {
      if (options.json === true) printJson(io, report);
      io.stderr.write(
        `credvault: tenant "${tenant}" has no key and no records in namespace "${vault.namespace}" ` +
          `(tenants named by --tenant-field ${options.tenantField}): nothing was shredded; check the name\n`,
      );
      return 1;
    }
    if (options.json === true) printJson(io, report);
    else {
      io.stdout.write(
        `shredded tenant "${tenant}": key ${report.keyDestroyed ? 'destroyed' : 'not found'}, ${report.deleted} records deleted\n` +
          '  copies in backups stay readable until the current master key is retired: rotate to a new master key,\n' +
          '  take a fresh backup, then retire the old key (the rotation walk-through in the README).\n',
      );
    }
    return 0;
  } finally {
    await vault.close();
  }
}
