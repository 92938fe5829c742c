import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isVaultError } from '@credvault/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPackage } from '../src/load-package.js';
import { openStore } from '../src/store-spec.js';

const dir = mkdtempSync(join(tmpdir(), 'credvault-cli-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const store = (scheme: string) => ({ flag: `--store ${scheme}`, path: 'store' });

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('packages load on demand', () => {
  it('names the package to install when it is not installed', async () => {
    const name = '@credvault/no-such-store';
    const error = await failure(loadPackage(name, store('nope:'), () => import(name)));
    expect(isVaultError(error) && error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain(
      '--store nope: needs @credvault/no-such-store: npm install @credvault/no-such-store',
    );
    expect((error.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('says the package is installed but failed to load when its own import throws', async () => {
    const file = join(dir, 'broken-store.mjs');
    writeFileSync(file, "throw new Error('native binding missing');\n");
    const error = await failure(
      loadPackage('@credvault/broken', store('broken:'), () => import(pathToFileURL(file).href)),
    );
    expect(isVaultError(error) && error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('@credvault/broken is installed but failed to load');
    expect((error.cause as Error).message).toBe('native binding missing');
  });

  it('does not take a missing dependency of the store package for the package itself', async () => {
    const file = join(dir, 'store-with-missing-dep.mjs');
    writeFileSync(file, "import 'credvault-missing-native-dep';\n");
    const error = await failure(
      loadPackage('@credvault/sqlite', store('sqlite:'), () => import(pathToFileURL(file).href)),
    );
    expect(error.message).toContain('@credvault/sqlite is installed but failed to load');
  });

  it('names the flag and path that needed the package', async () => {
    const name = '@credvault/no-such-pool';
    const error = await failure(loadPackage(name, { flag: '--workers', path: 'workers' }, () => import(name)));
    expect(isVaultError(error) && [error.code, error.path]).toEqual(['UNSUPPORTED', 'workers']);
    expect(error.message).toBe(
      'UNSUPPORTED: --workers needs @credvault/no-such-pool: npm install @credvault/no-such-pool',
    );
  });

  it('opens a SQLite store through the loaded package', async () => {
    const store = await openStore(`sqlite:${join(dir, 'v.db')}`);
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    await store.close?.();
  });
});
