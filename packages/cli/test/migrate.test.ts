/** `credvault migrate`: its legacy flags, dry run, report and exit codes (SQLite files). */
import { createCipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectionAuthSchema,
  createVault,
  formatKeyEntry,
  generateKey,
  isLegacyValue,
  parseKeyList,
} from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/io.js';

const dir = mkdtempSync(join(tmpdir(), 'credvault-cli-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = formatKeyEntry('k1', generateKey());
const env = { CREDVAULT_KEYS: keys };
const record = (name: string) => JSON.stringify({ name, token: `secret-${name}` });

function gcm(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `enc:v1:${iv.toString('base64')}:${data.toString('base64')}:${cipher.getAuthTag().toString('base64')}`;
}

async function seeded(name: string, values: Record<string, string>): Promise<string> {
  const path = join(dir, `${name}.db`);
  const store = sqliteStore({ path });
  for (const [id, value] of Object.entries(values)) await store.set(`default:${id}`, value);
  await store.close();
  return path;
}

async function storedValues(path: string): Promise<Map<string, string>> {
  const store = sqliteStore({ path });
  const out = new Map<string, string>();
  for await (const [key, value] of store.entries('default:')) out.set(key, value);
  await store.close();
  return out;
}

describe('credvault migrate', () => {
  it('migrates plain JSON by default, prints the report, and a second run finds nothing to do', async () => {
    const path = await seeded('plain', { a: record('A'), b: record('B') });
    const args = ['migrate', '--store', `sqlite:${path}`, '--schema', 'connection-auth'];
    const first = await cli(args, env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('migrated           2');
    for (const value of (await storedValues(path)).values()) expect(isLegacyValue(value)).toBe(false);
    const second = await cli([...args, '--json'], env);
    expect(JSON.parse(second.stdout)).toMatchObject({ scanned: 2, migrated: 0, alreadyCurrent: 2, failed: [] });
    const store = sqliteStore({ path });
    const vault = createVault({ store, keyring: parseKeyList(keys), schema: connectionAuthSchema });
    expect((await vault.get('b'))?.token).toBe('secret-B');
    await vault.close();
  });

  it('seals on worker threads with --workers: the same records, every value an envelope', async () => {
    const values = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`w${i}`, record(`W${i}`)]));
    const path = await seeded('workers', values);
    const args = ['migrate', '--store', `sqlite:${path}`, '--schema', 'connection-auth', '--batch-size', '50'];
    const run = await cli([...args, '--workers', '2', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ scanned: 300, migrated: 300, failed: [] });
    const stored = await storedValues(path);
    expect([...stored.values()].every((v) => v.startsWith('cv1.k1.'))).toBe(true);
    const store = sqliteStore({ path });
    const vault = createVault({ store, keyring: parseKeyList(keys), schema: connectionAuthSchema });
    expect((await vault.get('w299'))?.token).toBe('secret-W299');
    await vault.close();
  });

  it.each([
    [['--workers', '--tenant-field', 'idProject'], {}, '--workers does not apply with --tenant-field'],
    [['--workers'], { CREDVAULT_KEYS: `k3:remote:pkcs11:kek,${keys}` }, 'needs local keys; key "k3" is remote'],
    [['--workers', '0'], {}, 'must be a positive whole number'],
  ])('refuses %j (exit 2), writing nothing', async (flags, extra, message) => {
    const path = await seeded(`refused-${flags.length}-${Object.keys(extra).length}`, { a: record('A') });
    const before = await storedValues(path);
    const run = await cli(['migrate', '--store', `sqlite:${path}`, '--schema', 'connection-auth', ...flags], {
      ...env,
      ...extra,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(await storedValues(path)).toEqual(before);
  });

  it('reads a hand-rolled AES-256-GCM scheme with the key from a file; a dry run writes nothing', async () => {
    const key = randomBytes(32);
    const keyFile = join(dir, 'legacy.key');
    writeFileSync(keyFile, key.toString('hex'));
    chmodSync(keyFile, 0o600);
    const path = await seeded('gcm', { a: gcm(key, record('A')), b: gcm(key, record('B')) });
    const before = await storedValues(path);
    const args = ['migrate', '--store', `sqlite:${path}`, '--schema', 'connection-auth', '--legacy', 'aes-gcm'];
    const flags = ['--legacy-key-file', keyFile, '--legacy-prefix', 'enc:v1:', '--legacy-encoding', 'base64'];
    const dry = await cli([...args, ...flags, '--dry-run', '--json'], env);
    expect(JSON.parse(dry.stdout)).toMatchObject({ migrated: 2, dryRun: true });
    expect(await storedValues(path)).toEqual(before);
    const real = await cli([...args, ...flags], env);
    expect(real.code, real.stderr).toBe(0);
    expect([...(await storedValues(path)).values()].every((v) => v.startsWith('cv1.k1.'))).toBe(true);
  });

  it('reads, validates and seals on the workers with --workers, from the same flags and legacy key', async () => {
    const key = randomBytes(32);
    const values = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`g${i}`, gcm(key, record(`G${i}`))]));
    const path = await seeded('gcm-workers', { ...values, bad: 'enc:v1:garbage' });
    const args = ['migrate', '--store', `sqlite:${path}`, '--schema', 'connection-auth', '--legacy', 'aes-gcm'];
    const flags = ['--legacy-prefix', 'enc:v1:', '--legacy-encoding', 'base64', '--workers', '1', '--batch-size', '40'];
    const run = await cli([...args, ...flags, '--json'], { ...env, CREDVAULT_LEGACY_KEY: key.toString('hex') });
    expect(run.code, run.stderr).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ migrated: 120, failed: [{ id: 'bad', code: 'DECRYPT_FAILED' }] });
    const store = sqliteStore({ path });
    const vault = createVault({ store, keyring: parseKeyList(keys), schema: connectionAuthSchema });
    expect((await vault.get('g119'))?.token).toBe('secret-G119');
    await vault.close();
  });

  it('exits 1 and names each value that does not read, leaving it as it was; usage errors exit 2', async () => {
    const path = await seeded('bad', { ok: record('A'), bad: 'enc:v1:garbage' });
    const run = await cli(['migrate', '--store', `sqlite:${path}`, '--schema', 'connection-auth'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('! bad: DECRYPT_FAILED');
    expect((await storedValues(path)).get('default:bad')).toBe('enc:v1:garbage');
    const noPrefix = await cli(['migrate', '--store', `sqlite:${path}`, '--legacy', 'aes-gcm'], {
      ...env,
      CREDVAULT_LEGACY_KEY: randomBytes(32).toString('hex'),
    });
    expect(noPrefix.code).toBe(2);
    expect(noPrefix.stderr).toContain('--legacy-prefix');
    const shortKey = await cli(['migrate', '--store', `sqlite:${path}`, '--legacy', 'aes-gcm', '--legacy-prefix', ''], {
      ...env,
      CREDVAULT_LEGACY_KEY: 'abcd',
    });
    expect(shortKey.code).toBe(2);
    expect(shortKey.stderr).not.toContain('abcd');
  });

  it('takes a reader of your own from a module', async () => {
    const module = join(dir, 'reader.mjs');
    writeFileSync(
      module,
      `export default { name: 'csv', read: (stored) => stored.startsWith('csv:') ? { token: stored.slice(4) } : undefined };\n`,
    );
    const path = await seeded('module', { a: 'csv:tok-1' });
    const args = ['migrate', '--store', `sqlite:${path}`, '--schema', 'connection-auth', '--legacy', 'module'];
    const run = await cli([...args, '--legacy-module', module, '--json'], env);
    expect(JSON.parse(run.stdout)).toMatchObject({ migrated: 1, failed: [] });
  });
});
