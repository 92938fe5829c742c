import { VaultError } from '@credvault/core';
import { type Io, openVault, printJson, type StoreCommandOptions } from '../context.js';
import { progressView } from '../progress.js';

/** Options of `credvault tenant rotate` and `credvault tenant shred`. */
export interface TenantCommandOptions extends StoreCommandOptions {
  readonly tenantField: string;
  readonly batchSize?: number;
  readonly dryRun?: boolean;
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
      io.stdout.write(
        `${report.dryRun ? 'dry run: would rotate' : 'rotated'} tenant "${tenant}" to kid ${report.primaryKid}\n` +
          `  rewrapped          ${report.rewrapped}\n  already current    ${report.alreadyCurrent}\n` +
          `  changed meanwhile  ${report.changedMeanwhile}\n  failed             ${report.failed.length}\n  ${retire}\n`,
      );
      for (const failure of report.failed.slice(0, 20)) io.stdout.write(`  ! ${failure.id}: ${failure.code}\n`);
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
