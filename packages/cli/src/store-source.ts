import { readFile } from 'node:fs/promises';
import { VaultError } from '@credvault/core';
import type { Env } from './key-providers.js';

/** The environment variable that holds the store URL when neither `--store` nor `--store-file` is given. */
export const STORE_ENV = 'CREDVAULT_STORE';

/** Where the store URL may come from, as the command line gave them. */
export interface StoreSources {
  /** `--store <spec>`: on the command line, so visible to `ps`; fine without a password. */
  readonly store?: string;
  /** `--store-file <path>`: a file holding the URL on one line (surrounding whitespace trimmed). */
  readonly storeFile?: string;
}

/**
 * The store spec of a command: `--store`, else the one line of `--store-file`, else
 * `CREDVAULT_STORE`. A URL with a password belongs in the file or the variable, not on the
 * command line, where any user of the machine can read it (`ps`, `/proc/<pid>/cmdline`).
 * The spec itself is never put in an error message.
 * @throws VaultError `INVALID_ARGUMENT` for both `--store` and `--store-file`, none of the three,
 *   or a store file that cannot be read, is empty or holds more than one line.
 */
export async function resolveStoreSpec(sources: StoreSources, env: Env = process.env): Promise<string> {
  if (sources.store !== undefined && sources.storeFile !== undefined) {
    throw new VaultError('INVALID_ARGUMENT', 'use --store or --store-file, not both', { path: 'storeFile' });
  }
  if (sources.store !== undefined) return sources.store;
  if (sources.storeFile !== undefined) return readSpecFile(sources.storeFile, 'storeFile', 'store');
  const fromEnv = env[STORE_ENV]?.trim();
  if (fromEnv === undefined || fromEnv === '') {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `no store: pass --store <spec> or --store-file <path>, or set ${STORE_ENV} (a URL with a password: use the file or the variable)`,
      { path: 'store' },
    );
  }
  return fromEnv;
}

/**
 * The store spec held by the file at `file` (`--store-file`, `--key-store-file`): its one line,
 * surrounding whitespace trimmed. The spec is never put in an error message.
 * @throws VaultError `INVALID_ARGUMENT` (path `option`) for a file that cannot be read, is
 *   empty or holds more than one line.
 */
export async function readSpecFile(file: string, option: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new VaultError('INVALID_ARGUMENT', `cannot read the ${what} file ${file}`, { path: option, cause });
  }
  const spec = text.trim();
  if (spec === '') {
    throw new VaultError('INVALID_ARGUMENT', `the ${what} file ${file} is empty`, { path: option });
  }
  if (/[\r\n]/.test(spec)) {
    throw new VaultError('INVALID_ARGUMENT', `the ${what} file ${file} must hold the ${what} URL on one line`, {
      path: option,
    });
  }
  return spec;
}
