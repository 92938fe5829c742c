import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendAvailable, type Hooks } from './use-backend.js';

/** Where Debian's softhsm2 package puts the PKCS#11 module; `SOFTHSM2_MODULE` overrides it. */
export const SOFTHSM_MODULE: string = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';

/** A SoftHSM2 token initialized for the tests of one file. */
export interface TestSoftHsm {
  /** False when SoftHSM2 is not installed (tests skip; under CI this throws instead). */
  readonly available: boolean;
  /** Path of the PKCS#11 module. */
  readonly module: string;
  /** Label of the initialized token. */
  readonly token: string;
  /** Its user PIN. */
  readonly pin: string;
  /** The `SOFTHSM2_CONF` path, once `beforeAll` has run (child processes need it in their env). */
  conf(): string;
}

/** Whether SoftHSM2 (module and `softhsm2-util`) is installed. */
export function hasSoftHsm(): boolean {
  return existsSync(SOFTHSM_MODULE) && spawnSync('softhsm2-util', ['--version'], { stdio: 'ignore' }).status === 0;
}

function softHsmAvailable(): boolean {
  if (hasSoftHsm()) return true;
  const message = 'SoftHSM2 is not installed: PKCS#11 tests cannot run (apt-get install -y softhsm2)';
  return backendAvailable(false, 'PKCS#11', message);
}

/**
 * Initializes a fresh SoftHSM2 token in a temp dir before the file's tests (a config file whose
 * `directories.tokendir` is that dir, named by `SOFTHSM2_CONF` in this process's env, which the
 * module reads when it is initialized) and removes it after them. Missing SoftHSM2: a loud skip
 * locally, an error under CI.
 * @example
 * ```ts
 * const hsm = useSoftHsm(vitest)
 * it.skipIf(!hsm.available)('works', async () => openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin }))
 * ```
 */
export function useSoftHsm(hooks: Hooks, token = 'credvault-test'): TestSoftHsm {
  const available = softHsmAvailable();
  const pin = '1234-test';
  let dir: string | undefined;
  hooks.beforeAll(async () => {
    if (!available) return;
    dir = await mkdtemp(join(tmpdir(), 'credvault-softhsm-'));
    const conf = join(dir, 'softhsm2.conf');
    await writeFile(conf, `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = conf;
    const init = spawnSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', token, '--pin', pin, '--so-pin', `${pin}-so`],
      { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${init.stderr}`);
  }, 30_000);
  hooks.afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return {
    available,
    module: SOFTHSM_MODULE,
    token,
    pin,
    conf: () => {
      if (dir === undefined) throw new Error('SoftHSM2 is not set up (is the test skipped when !available?)');
      return join(dir, 'softhsm2.conf');
    },
  };
}
