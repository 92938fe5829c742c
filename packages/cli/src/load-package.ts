import { VaultError } from '@credvault/core';

/** Node, Bun and Deno codes for a module that cannot be found. */
const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

function isMissing(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const namesIt = error.message.includes(`'${name}'`) || error.message.includes(`"${name}"`);
  return namesIt && (typeof code !== 'string' || NOT_FOUND_CODES.has(code) || /cannot find/i.test(error.message));
}

/** What needs a package: the flag as the user wrote it, for the message, and the option's path. */
export interface PackageNeed {
  /** E.g. `--store sqlite:`, `pkcs11 keys`, `--workers`. */
  readonly flag: string;
  /** The option the error's `path` names, e.g. `store`. */
  readonly path: string;
}

/**
 * Loads a package the CLI imports only when a command asks for it, so that `keygen` and the
 * other commands work without it (store and key-provider packages are optional peers of the
 * CLI: `sqlite:` needs `@credvault/sqlite` and its native `sqlite3` build, for instance).
 *
 * @param name - the package, e.g. `@credvault/sqlite`
 * @param need - the flag that needs it, for the message and the error's path
 * @param load - imports it: `() => import('@credvault/sqlite')`
 * @throws VaultError `UNSUPPORTED` naming the package to install when it is not installed, or
 *   when it is installed but fails to load (the cause attached; a missing native build, say)
 */
export async function loadPackage<T>(name: string, need: PackageNeed, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const why = isMissing(error, name)
      ? ` needs ${name}: npm install ${name}`
      : `: ${name} is installed but failed to load`;
    throw new VaultError('UNSUPPORTED', `${need.flag}${why}`, { path: need.path, cause: error });
  }
}
