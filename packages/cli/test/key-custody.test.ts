import { join } from 'node:path';
import {
  connectionSchema,
  createVault,
  formatKeyEntry,
  generateKey,
  openKeyList,
  parseKeyList,
  parseKeySpecs,
} from '@credvault/core';
import { openPkcs11 } from '@credvault/pkcs11';
import { sqliteStore } from '@credvault/sqlite';
import { suiteConnection, useKmsServer, useSoftHsm, useTempDir } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { cli } from './support/io.js';

const { describe, it, expect, beforeAll } = vitest;
const hsm = useSoftHsm(vitest);
const kms = useKmsServer(vitest);
const dir = await useTempDir('cli-hsm', vitest);
const K1 = formatKeyEntry('env1', generateKey());
let env: Record<string, string>;

async function seeded(count: number): Promise<string> {
  const path = join(dir, `hsm-${Date.now()}-${Math.random().toString(36).slice(2)}.db`);
  const store = sqliteStore({ path });
  const vault = createVault({ store, keyring: parseKeyList(K1), schema: connectionSchema, namespace: 'conns' });
  await vault.setMany(Array.from({ length: count }, (_, i) => [`c${i}`, suiteConnection(`c${i}`)] as const));
  await store.close();
  return path;
}

async function kidsOf(path: string, keys: string): Promise<Record<string, number>> {
  const { code, stdout } = await cli(['status', '--store', `sqlite:${path}`, '-n', 'conns', '--json'], {
    ...env,
    CREDVAULT_KEYS: keys,
  });
  expect(code).toBe(0);
  return (JSON.parse(stdout) as { kids: Record<string, number> }).kids;
}

describe.skipIf(!hsm.available)('credvault with keys in a SoftHSM2 token', () => {
  let remote: string;
  let wrapped: string;

  beforeAll(async () => {
    env = {
      SOFTHSM2_CONF: hsm.conf(),
      CREDVAULT_PKCS11_MODULE: hsm.module,
      CREDVAULT_PKCS11_TOKEN: hsm.token,
      CREDVAULT_PKCS11_PIN: hsm.pin,
    };
    const made = await cli(['keygen', '--kid', 'hsm1', '--remote', 'pkcs11:credvault-kek'], env);
    expect(made.stderr).toBe('');
    remote = made.stdout.trim();
    const wrap = await cli(['keygen', '--kid', 'wrapped1', '--wrap', 'pkcs11:credvault-kek'], env);
    wrapped = wrap.stdout.trim();
  });

  it('keygen prints a remote entry (creating the HSM key) and a wrapped entry', () => {
    expect(remote).toBe('hsm1:remote:pkcs11:credvault-kek');
    expect(wrapped).toMatch(/^wrapped1:wrapped:pkcs11:credvault-kek:[A-Za-z0-9_-]{80,}$/);
  });

  it('rotates from an env key to the HSM key and back, status and verify following', async () => {
    const path = await seeded(60);
    const store = ['--store', `sqlite:${path}`, '-n', 'conns'];
    const toHsm = await cli(['rotate', ...store, '--json'], { ...env, CREDVAULT_KEYS: `${remote},${K1}` });
    expect(toHsm.code).toBe(0);
    expect(JSON.parse(toHsm.stdout)).toMatchObject({ rewrapped: 60, primaryKid: 'hsm1' });
    expect(await kidsOf(path, `${remote},${K1}`)).toEqual({ hsm1: 60, env1: 0 });
    // the env key alone can no longer open them; the HSM key alone can
    expect((await cli(['verify', ...store], { ...env, CREDVAULT_KEYS: K1 })).code).toBe(1);
    expect((await cli(['verify', ...store], { ...env, CREDVAULT_KEYS: remote })).code).toBe(0);

    const back = await cli(['rotate', ...store, '--json'], { ...env, CREDVAULT_KEYS: `${K1},${remote}` });
    expect(JSON.parse(back.stdout)).toMatchObject({ rewrapped: 60, primaryKid: 'env1' });
    expect(await kidsOf(path, `${K1},${remote}`)).toEqual({ env1: 60, hsm1: 0 });
    expect((await cli(['verify', ...store], { ...env, CREDVAULT_KEYS: K1 })).code).toBe(0);
  });

  it('rotates from the env key to the HSM key while the service keeps writing through the HSM key', async () => {
    const path = await seeded(300);
    // the service, deployed with the HSM key promoted (rotation step 2)
    const token = await openPkcs11({ module: hsm.module, token: hsm.token, pin: hsm.pin });
    const keys = await openKeyList(parseKeySpecs(`${remote},${K1}`), {
      resolve: async (_provider, keyRef) => token.key(keyRef),
    });
    const store = sqliteStore({ path });
    const app = createVault({ store, keyring: keys, schema: connectionSchema, namespace: 'conns' });
    const expected = new Map<string, string>();
    let rotating = true;
    const writer = (async () => {
      let writes = 0;
      while (rotating || writes < 40) {
        const id = `c${Math.floor(Math.random() * 300)}`;
        const url = `https://example.com/write-${writes}`;
        await app.update(id, (c) => c && { ...c, accountUrl: url });
        expected.set(id, url);
        writes += 1;
      }
      return writes;
    })();
    const run = await cli(['rotate', '--store', `sqlite:${path}`, '-n', 'conns', '--batch-size', '20', '--json'], {
      ...env,
      CREDVAULT_KEYS: `${remote},${K1}`,
    });
    rotating = false;
    expect(await writer).toBeGreaterThanOrEqual(40);
    const report = JSON.parse(run.stdout) as {
      failed: unknown[];
      rewrapped: number;
      alreadyCurrent: number;
      changedMeanwhile: number;
    };
    expect(run.code).toBe(0);
    expect(report.failed).toEqual([]);
    expect(report.alreadyCurrent + report.changedMeanwhile).toBeGreaterThan(0); // the service really raced it
    expect((await app.status()).kids).toEqual({ hsm1: 300 });
    for (const [id, url] of expected) expect((await app.get(id))?.accountUrl).toBe(url); // no lost write
    await app.close();
    await keys.close();
    await token.close();
  });

  it('rotates to a wrapped local key and back, one HSM call at start-up', async () => {
    const path = await seeded(30);
    const store = ['--store', `sqlite:${path}`, '-n', 'conns'];
    const run = await cli(['rotate', ...store, '--json'], { ...env, CREDVAULT_KEYS: `${wrapped},${K1}` });
    expect(JSON.parse(run.stdout)).toMatchObject({ rewrapped: 30, primaryKid: 'wrapped1' });
    expect((await cli(['verify', ...store], { ...env, CREDVAULT_KEYS: wrapped })).code).toBe(0);
    const back = await cli(['rotate', ...store, '--json'], { ...env, CREDVAULT_KEYS: `${K1},${wrapped}` });
    expect(JSON.parse(back.stdout)).toMatchObject({ rewrapped: 30, primaryKid: 'env1' });
  });

  it('fails with KEY_UNAVAILABLE for a wrong PIN, never showing it, and trying no other key', async () => {
    const path = await seeded(3);
    const run = await cli(['verify', '--store', `sqlite:${path}`, '-n', 'conns'], {
      ...env,
      CREDVAULT_PKCS11_PIN: 'not-the-pin-42',
      CREDVAULT_KEYS: `${K1},${remote}`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('KEY_UNAVAILABLE');
    expect(run.stderr).toContain('CKR_PIN_INCORRECT');
    expect(run.stderr).not.toContain('not-the-pin-42');
  });

  it('names what is missing: settings, provider, key', async () => {
    const noPin = await cli(['keygen', '--wrap', 'pkcs11:credvault-kek'], { ...env, CREDVAULT_PKCS11_PIN: undefined });
    expect(noPin.stderr).toContain('CREDVAULT_PKCS11_PIN');
    const unknown = await cli(['keygen', '--wrap', 'vault-transit:x'], env);
    expect(unknown.stderr).toContain('unknown key provider "vault-transit"');
    const missingKey = await cli(['keygen', '--wrap', 'pkcs11:no-such-label'], env);
    expect(missingKey.code).toBe(1);
    expect(missingKey.stderr).toContain('KEY_UNAVAILABLE');
  });
});

describe('credvault with keys in AWS KMS (the local KMS JSON server)', () => {
  const awsEnv = () => ({
    AWS_REGION: kms.server().region,
    AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
    AWS_SECRET_ACCESS_KEY: 'cli-test-secret',
    CREDVAULT_AWS_KMS_ENDPOINT: kms.server().url,
  });

  it('makes wrapped and remote entries and rotates an env key to KMS and back', async () => {
    kms.server().createKey('cli-kek');
    const wrap = await cli(['keygen', '--kid', 'kmsw', '--wrap', 'aws-kms:alias/cli-kek'], awsEnv());
    expect(wrap.stderr).toBe('');
    const wrapped = wrap.stdout.trim();
    expect(wrapped).toMatch(/^kmsw:wrapped:aws-kms:alias\/cli-kek:[A-Za-z0-9_-]+$/);
    const remote = (
      await cli(['keygen', '--kid', 'kms1', '--remote', 'aws-kms:alias/cli-kek'], awsEnv())
    ).stdout.trim();
    expect(remote).toBe('kms1:remote:aws-kms:alias/cli-kek');
    expect(kms.server().accessKeyIds.has('AKIDCLITEST')).toBe(true);

    const path = await seeded(20);
    const store = ['--store', `sqlite:${path}`, '-n', 'conns', '--json'];
    const toKms = await cli(['rotate', ...store], { ...awsEnv(), CREDVAULT_KEYS: `${remote},${K1}` });
    expect(JSON.parse(toKms.stdout)).toMatchObject({ rewrapped: 20, primaryKid: 'kms1' });
    const toWrapped = await cli(['rotate', ...store], { ...awsEnv(), CREDVAULT_KEYS: `${wrapped},${remote}` });
    expect(JSON.parse(toWrapped.stdout)).toMatchObject({ rewrapped: 20, primaryKid: 'kmsw' });
    const back = await cli(['rotate', ...store], { ...awsEnv(), CREDVAULT_KEYS: `${K1},${wrapped}` });
    expect(JSON.parse(back.stdout)).toMatchObject({ rewrapped: 20, primaryKid: 'env1' });
  });

  it('reports a disabled KMS key as KEY_UNAVAILABLE', async () => {
    const key = kms.server().createKey('cli-disabled');
    key.enabled = false;
    const run = await cli(['keygen', '--wrap', 'aws-kms:alias/cli-disabled'], awsEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('KEY_UNAVAILABLE');
    expect(run.stderr).toContain('DisabledException');
  });
});
