import { VaultError } from '@credvault/core';

/** Node, Bun and Deno codes for a module that cannot be found. */
const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

function isMissing(error: unknown, name: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const namesIt = error.message.includes(`'${name}'`) || error.message.includes(`"${name}"`);
  return namesIt && (typeof code !== 'string' || NOT_FOUND_CODES.has(code) || /cannot find/i.test(error.message));
}

/**
 * Loads the store package a `--store` scheme needs, only when a command uses that scheme, so
 * that `keygen` and the other schemes work without it (store packages are optional peers of the
 * CLI: `sqlite:` needs `@credvault/sqlite` and its native `sqlite3` build, for instance).
 *
 * @param name - the package, e.g. `@credvault/sqlite`
 * @param scheme - the scheme that needs it, for the message, e.g. `sqlite:`
 * @param load - imports it: `() => import('@credvault/sqlite')`
 * @throws VaultError `UNSUPPORTED` naming the package to install when it is not installed, or
 *   when it is installed but fails to load (the cause attached; a missing native build, say)
 */
export async function loadStorePackage<T>(name: string, scheme: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, name)) {
      throw new VaultError('UNSUPPORTED', `--store ${scheme} needs ${name}: npm install ${name}`, {
        path: 'store',
        cause: error,
      });
    }
    throw new VaultError('UNSUPPORTED', `--store ${scheme}: ${name} is installed but failed to load`, {
      path: 'store',
      cause: error,
    });
  }
}
