import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectionSchema, createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { suiteConnection, useTempDir } from '@credvault/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/io.js';

const dir = await useTempDir('cli-store-source', { afterAll });
const K1 = formatKeyEntry('k1', generateKey());
let n = 0;

/** A SQLite file with `count` Connections in namespace `conns`, and its spec. */
async function seeded(count: number): Promise<string> {
  const path = join(dir, `s-${++n}.db`);
  const vault = createVault({
    store: sqliteStore({ path }),
    keyring: parseKeyList(K1),
    schema: connectionSchema,
    namespace: 'conns',
  });
  await vault.setMany(Array.from({ length: count }, (_, i) => [`c${i}`, suiteConnection(`c${i}`)] as const));
  await vault.close();
  return `sqlite:${path}`;
}

async function file(text: string): Promise<string> {
  const path = join(dir, `store-${++n}.txt`);
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

const total = (stdout: string) => (JSON.parse(stdout) as { total: number }).total;

describe('where the store URL comes from', () => {
  it('reads CREDVAULT_STORE when neither --store nor --store-file is given', async () => {
    const spec = await seeded(3);
    const run = await cli(['status', '-n', 'conns', '--json'], { CREDVAULT_KEYS: K1, CREDVAULT_STORE: spec });
    expect(run.code).toBe(0);
    expect(total(run.stdout)).toBe(3);
  });

  it('reads --store-file, the URL on one line, surrounding whitespace trimmed', async () => {
    const spec = await seeded(4);
    const run = await cli(['status', '-n', 'conns', '--json', '--store-file', await file(`  ${spec}\r\n`)], {
      CREDVAULT_KEYS: K1,
      CREDVAULT_STORE: undefined,
    });
    expect(run.code).toBe(0);
    expect(total(run.stdout)).toBe(4);
  });

  it('prefers --store, then --store-file, to CREDVAULT_STORE', async () => {
    const spec = await seeded(5);
    const env = { CREDVAULT_KEYS: K1, CREDVAULT_STORE: 'mysql://not-this-one' };
    const flag = await cli(['status', '-n', 'conns', '--json', '--store', spec], env);
    expect(flag.code).toBe(0);
    expect(total(flag.stdout)).toBe(5);
    const fromFile = await cli(['status', '-n', 'conns', '--json', '--store-file', await file(`${spec}\n`)], env);
    expect(fromFile.code).toBe(0);
    expect(total(fromFile.stdout)).toBe(5);
  });

  it.each([
    [
      'both --store and --store-file',
      async () => ['--store', 'sqlite:/tmp/x.db', '--store-file', await file('sqlite:/tmp/y.db')],
      'use --store or --store-file, not both',
    ],
    ['no store at all', async () => [], 'no store: pass --store <spec> or --store-file <path>, or set CREDVAULT_STORE'],
    ['an empty store file', async () => ['--store-file', await file(' \n')], 'is empty'],
    [
      'a store file of two lines',
      async () => ['--store-file', await file('redis://u:hunter2@h:1\nredis://u:hunter3@h:2\n')],
      'on one line',
    ],
    ['a missing store file', async () => ['--store-file', join(dir, 'no-such-file')], 'cannot read the store file'],
  ])('refuses %s (exit 2), naming no URL', async (_, args, message) => {
    const run = await cli(['status', ...(await args())], { CREDVAULT_KEYS: K1, CREDVAULT_STORE: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('hunter');
  });

  it('says so in the help', async () => {
    const top = await cli(['--help']);
    expect(top.stdout).toContain('CREDVAULT_STORE');
    expect(top.stdout).toContain('--store-file');
    for (const command of ['rotate', 'status', 'verify', 'tenant rotate', 'tenant shred']) {
      const help = await cli([...command.split(' '), '--help']);
      expect(help.stdout).toContain('--store-file <path>');
      expect(help.stdout).toContain('CREDVAULT_STORE');
    }
  });
});
