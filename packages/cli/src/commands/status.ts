import { type Io, openVault, printJson, type StoreCommandOptions } from '../context.js';

/** `credvault status`: records per kid, and which kids of the keyring can be retired. */
export async function status(io: Io, options: StoreCommandOptions): Promise<number> {
  const { vault, keyring } = await openVault(options, true);
  try {
    const report = await vault.status();
    const kids: Record<string, number> = Object.fromEntries(keyring.kids.map((kid) => [kid, 0]));
    Object.assign(kids, report.kids);
    if (options.json === true) {
      printJson(io, { namespace: vault.namespace, ...report, kids });
      return 0;
    }
    const lines = [`namespace "${vault.namespace}": ${report.total} records, primary kid ${report.primaryKid}`];
    for (const [kid, n] of Object.entries(kids)) {
      const note =
        kid === report.primaryKid
          ? '(primary)'
          : !keyring.has(kid)
            ? '(NOT in the keyring: these records cannot be opened)'
            : n === 0
              ? '(no records left: can be retired)'
              : '(still in use: run credvault rotate)';
      lines.push(`  ${kid.padEnd(20)} ${String(n).padStart(9)}  ${note}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await vault.close();
  }
}
