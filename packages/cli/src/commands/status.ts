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
    const own = report.vaultRecords;
    const lines = [`namespace "${vault.namespace}": ${report.total} records, primary kid ${report.primaryKid}`];
    if (own.indexKey + own.tenantKeys > 0) {
      lines.push(`  and the vault's own: ${own.indexKey} index key, ${own.tenantKeys} tenant key record(s)`);
    }
    for (const kid of new Set([...Object.keys(kids), ...Object.keys(own.kids)])) {
      const [n, m] = [kids[kid] ?? 0, own.kids[kid] ?? 0];
      const note =
        kid === report.primaryKid
          ? '(primary)'
          : !keyring.has(kid)
            ? '(NOT in the keyring: these records cannot be opened)'
            : n + m === 0
              ? '(no records left: can be retired)'
              : '(still in use: run credvault rotate)';
      const vaultOwn = m === 0 ? '' : ` (+${m} vault)`;
      lines.push(`  ${kid.padEnd(20)} ${String(n).padStart(9)}  ${note}${vaultOwn}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await vault.close();
  }
}
