import { type Io, openVault, printJson, type StoreCommandOptions } from '../context.js';

/** `credvault verify`: opens and validates every record; exit 1 when any does not. */
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
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return report.failed.length === 0 ? 0 : 1;
  } finally {
    await vault.close();
  }
}
