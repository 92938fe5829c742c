import { type Io, openVault, printJson, type StoreCommandOptions } from '../context.js';

/**
 * `credvault verify`: opens and validates every record by the strict reader; exit 1 when any
 * does not. A secret field found in clear is reported as `SECRET_IN_CLEAR at <field>`, with
 * the command that seals it.
 */
export async function verify(io: Io, options: StoreCommandOptions): Promise<number> {
  const { vault } = await openVault(options, true);
  try {
    const report = await vault.verify({
      onProgress: (p) => {
        if (options.json !== true) io.stderr.write(`verify: ${p.scanned} checked, ${p.failed.length} failed\n`);
      },
    });
    if (options.json === true) {
      printJson(io, report);
    } else {
      const lines = [
        `verified namespace "${vault.namespace}": ${report.scanned} records, ${report.ok} ok, ${report.failed.length} failed`,
      ];
      for (const f of report.failed.slice(0, 50))
        lines.push(`  ! ${f.id}: ${f.code}${f.path === undefined ? '' : ` at ${f.path}`}`);
      if (report.failed.length > 50) lines.push(`  ! ... and ${report.failed.length - 50} more (see --json)`);
      const inClear = report.failed.filter((f) => f.code === 'SECRET_IN_CLEAR').length;
      if (inClear > 0) {
        lines.push(
          `${inClear} record(s) hold a secret field in clear (the field became secret after they were written):`,
          '  run `credvault rotate --reencrypt` with the same options to seal it',
        );
      }
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return report.failed.length === 0 ? 0 : 1;
  } finally {
    await vault.close();
  }
}
