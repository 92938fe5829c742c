import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionSchema, createVault, formatKeyEntry, generateKey, parseKeyList } from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { suiteConnection } from '@credvault/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/io.js';

const dir = await mkdtemp(join(tmpdir(), 'credvault-cli-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const K1 = formatKeyEntry('k1', generateKey());
const K2 = formatKeyEntry('k2', generateKey());
let n = 0;

/** A SQLite file with `count` Connections sealed under k1 in namespace `conns`. */
async function seeded(count: number): Promise<string> {
  const path = join(dir, `cli-${++n}.db`);
  const store = sqliteStore({ path });
  const vault = createVault({ store, keyring: parseKeyList(K1), schema: connectionSchema, namespace: 'conns' });
  await vault.setMany(Array.from({ length: count }, (_, i) => [`c${i}`, suiteConnection(`c${i}`)] as const));
  await store.close();
  return path;
}

async function rawValues(path: string): Promise<Map<string, string>> {
  const store = sqliteStore({ path });
  const out = new Map<string, string>();
  for await (const [k, v] of store.entries('')) out.set(k, v);
  await store.close();
  return out;
}

describe('credvault --help', () => {
  it('lists every command and the rotation steps', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['keygen', 'rotate', 'status', 'verify']) expect(stdout).toContain(command);
    expect(stdout).toContain('CREDVAULT_KEYS');
    // it names only what the package ships: its README, which has the rotation walk-through
    expect(stdout).toContain('The README of @credvault/cli');
    expect(stdout).not.toMatch(/docs\/|\.md\b/);
  });

  it.each(['keygen', 'rotate', 'status', 'verify'])('has help for %s', async (command) => {
    const { code, stdout } = await cli([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: credvault ${command}`);
    if (command !== 'keygen') expect(stdout).toContain('--store <spec>');
    if (command === 'rotate')
      for (const flag of ['--dry-run', '--batch-size', '--workers', '--json', '--keys-file', '--namespace'])
        expect(stdout).toContain(flag);
  });
});

describe('credvault keygen', () => {
  it('prints a new kid:key entry that CREDVAULT_KEYS accepts', async () => {
    const a = await cli(['keygen', '--kid', 'prod-2026']);
    const b = await cli(['keygen', '--kid', 'prod-2026']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^prod-2026:[A-Za-z0-9_-]{43}\n$/);
    expect(a.stdout).not.toBe(b.stdout);
    expect(parseKeyList(a.stdout).primaryKid).toBe('prod-2026');
    expect((await cli(['keygen'])).stdout).toMatch(/^k\d{8}:/);
  });

  it('refuses a bad kid', async () => {
    const { code, stderr } = await cli(['keygen', '--kid', 'bad.kid']);
    expect(code).toBe(2);
    expect(stderr).toContain('kid must match');
  });
});

describe('credvault rotate, status and verify on SQLite', () => {
  it('rotates with progress lines, a summary, and status showing the old kid can go', async () => {
    const path = await seeded(500);
    const before = await cli(['status', '--store', `sqlite:${path}`, '-n', 'conns'], { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(before.stdout).toMatch(/k1 +500 {2}\(still in use: run credvault rotate\)/);
    expect(before.stdout).toMatch(/k2 +0 {2}\(primary\)/);

    const run = await cli(['rotate', '--store', `sqlite:${path}`, '-n', 'conns', '--batch-size', '50'], {
      CREDVAULT_KEYS: `${K2},${K1}`,
    });
    expect(run.code).toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines[0]).toMatch(
      /^rotate: 50\/500 \(10%\) scanned, \d+ rewrapped, 0 current, 0 changed meanwhile, 0 failed$/,
    );
    expect(lines.at(-1)).toBe(
      'rotate: 500/500 (100%) scanned, 500 rewrapped, 0 current, 0 changed meanwhile, 0 failed',
    );
    expect(run.stdout).toContain('rotated namespace "conns" to kid k2');
    expect(run.stdout).toMatch(/rewrapped +500/);
    expect(run.stdout).toContain('kids found         k1: 500');

    const after = await cli(['status', '--store', `sqlite:${path}`, '-n', 'conns'], { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(after.stdout).toMatch(/k1 +0 {2}\(no records left: can be retired\)/);
    const verified = await cli(['verify', '--store', `sqlite:${path}`, '-n', 'conns'], { CREDVAULT_KEYS: K2 });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('500 records, 500 ok, 0 failed');
    const again = await cli(['rotate', '--store', `sqlite:${path}`, '-n', 'conns', '--json'], {
      CREDVAULT_KEYS: `${K2},${K1}`,
    });
    expect(JSON.parse(again.stdout)).toMatchObject({ rewrapped: 0, alreadyCurrent: 500 });
  });

  it('prints a JSON report of the documented shape with --json, and no progress', async () => {
    const path = await seeded(30);
    const { code, stdout, stderr } = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--json'], {
      CREDVAULT_KEYS: `${K2},${K1}`,
    });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout);
    expect(Object.keys(report).sort()).toEqual(
      [
        'aborted',
        'alreadyCurrent',
        'changedMeanwhile',
        'dryRun',
        'failed',
        'kids',
        'primaryKid',
        'rewrapped',
        'scanned',
        'total',
      ].sort(),
    );
    expect(report).toMatchObject({
      total: 30,
      scanned: 30,
      rewrapped: 30,
      failed: [],
      kids: { k1: 30 },
      primaryKid: 'k2',
      dryRun: false,
      aborted: false,
    });
  });

  it('rotates on worker threads with --workers, the same report and result as in one thread', async () => {
    const path = await seeded(300);
    const run = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--workers', '2', '--json'], {
      CREDVAULT_KEYS: `${K2},${K1}`,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ scanned: 300, rewrapped: 300, failed: [], primaryKid: 'k2' });
    const verified = await cli(['verify', '-s', `sqlite:${path}`, '-n', 'conns'], { CREDVAULT_KEYS: K2 });
    expect(verified.stdout).toContain('300 records, 300 ok, 0 failed');
    const cores = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--workers', '--json'], {
      CREDVAULT_KEYS: `${K1},${K2}`, // and back, on the pool's default number of workers
    });
    expect(JSON.parse(cores.stdout)).toMatchObject({ rewrapped: 300, primaryKid: 'k1' });
  });

  it('joins a rotation run with --join (with --workers too), and reports the whole run', async () => {
    const path = await seeded(300);
    const args = ['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--join', '--range-size', '100'];
    const run = await cli([...args, '--workers', '2'], { CREDVAULT_KEYS: `${K2},${K1}` });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('rewrapped          300');
    expect(run.stdout).toContain('run                k2: 3 ranges by 1 processes');
    expect(run.stdout).toContain('this process       3 ranges, 300 rewrapped');
    const again = await cli([...args, '--json'], { CREDVAULT_KEYS: `${K2},${K1}` }); // the finished run's report
    expect(JSON.parse(again.stdout)).toMatchObject({ rewrapped: 300, join: { runId: 'k2', mine: { ranges: 0 } } });
    const verified = await cli(['verify', '-s', `sqlite:${path}`, '-n', 'conns'], { CREDVAULT_KEYS: K2 });
    expect(verified.stdout).toContain('300 records, 300 ok, 0 failed');
  });

  it.each([
    [['--workers', '--reencrypt'], {}, '--workers does not apply with --reencrypt'],
    [['--workers', '--tenant-field', 'idProject'], {}, '--workers does not apply with --tenant-field'],
    [['--workers'], { CREDVAULT_KEYS: `k3:remote:pkcs11:kek,${K1}` }, 'needs local keys; key "k3" is remote'],
    [['--workers', '0'], {}, 'must be a positive whole number'],
    [['--run-id', 'r1'], {}, '--run-id, --range-size and --lease-ms go with --join'],
    [['--join', '--dry-run'], {}, 'dryRun'],
  ])('refuses %j (exit 2), writing nothing', async (flags, env, message) => {
    const path = await seeded(10);
    const before = await rawValues(path);
    const { code, stderr } = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns', ...flags], {
      CREDVAULT_KEYS: `${K2},${K1}`,
      ...env,
    });
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(await rawValues(path)).toEqual(before);
  });

  it('writes nothing on --dry-run', async () => {
    const path = await seeded(40);
    const before = await rawValues(path);
    const { code, stdout } = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--dry-run'], {
      CREDVAULT_KEYS: `${K2},${K1}`,
    });
    expect(code).toBe(0);
    expect(stdout).toContain('dry run: would rotate');
    expect(stdout).toMatch(/rewrapped +40/);
    expect(await rawValues(path)).toEqual(before);
  });

  it('reports a record that does not open, leaves it byte for byte, and exits 1', async () => {
    const path = await seeded(20);
    const store = sqliteStore({ path });
    const tampered = ((await store.get('conns:c7')) as string).replace(
      '"idProject":"project-1"',
      '"idProject":"project-9"',
    );
    await store.set('conns:c7', tampered);
    await store.close();
    const { code, stdout } = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns'], {
      CREDVAULT_KEYS: `${K2},${K1}`,
    });
    expect(code).toBe(1);
    expect(stdout).toContain('! c7: DECRYPT_FAILED (left as it was)');
    expect(stdout).toMatch(/rewrapped +19/);
    expect((await rawValues(path)).get('conns:c7')).toBe(tampered);
    const verified = await cli(['verify', '-s', `sqlite:${path}`, '-n', 'conns', '--json'], {
      CREDVAULT_KEYS: `${K2},${K1}`,
    });
    expect(verified.code).toBe(1);
    expect(JSON.parse(verified.stdout)).toEqual({
      scanned: 20,
      ok: 19,
      failed: [{ id: 'c7', code: 'DECRYPT_FAILED' }],
    });
  });

  it('with --reencrypt, lists the records that failed, says they were not re-sealed, and exits 1', async () => {
    const path = await seeded(30);
    const store = sqliteStore({ path });
    const tampered = new Map<string, string>();
    for (const id of ['c3', 'c7', 'c11']) {
      const value = ((await store.get(`conns:${id}`)) as string).replace('"idProject":"project-1"', '"idProject":"x"');
      await store.set(`conns:${id}`, value);
      tampered.set(`conns:${id}`, value);
    }
    await store.close();
    for (const keys of [`${K2},${K1}`, `${K1},${K2}`]) {
      // to a new primary, and again on the same one (every record is re-sealed, current or not)
      const { code, stdout } = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--reencrypt'], {
        CREDVAULT_KEYS: keys,
      });
      expect(code).toBe(1);
      expect(stdout).toMatch(/failed +3\n/);
      for (const id of ['c3', 'c7', 'c11']) expect(stdout).toContain(`! ${id}: DECRYPT_FAILED (left as it was)`);
      expect(stdout).toContain(
        '  (27 re-sealed under fresh data keys, each field in the part the schema puts it in now; not the 3 failed below)',
      );
      expect(stdout).not.toContain('  (re-sealed');
    }
    const after = await rawValues(path);
    for (const [key, value] of tampered) expect(after.get(key)).toBe(value);
    const dry = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--reencrypt', '--dry-run', '--json'], {
      CREDVAULT_KEYS: `${K1},${K2}`,
    });
    expect(dry.code).toBe(1);
    expect(JSON.parse(dry.stdout).failed).toHaveLength(3);
  });

  it('lists the first 20 failed records and counts the rest', async () => {
    const path = await seeded(25);
    const { code, stdout } = await cli(['rotate', '-s', `sqlite:${path}`, '-n', 'conns'], { CREDVAULT_KEYS: K2 });
    expect(code).toBe(1);
    expect(stdout).toMatch(/failed +25\n/);
    expect(stdout.match(/ {2}! c\d+: UNKNOWN_KEY \(left as it was\)\n/g)).toHaveLength(20);
    expect(stdout).toContain('  ! ... and 5 more (see --json)');
  });

  it('reads keys from a --keys-file only its owner can read (0600), comments allowed', async () => {
    const path = await seeded(5);
    const file = join(dir, 'keys.txt');
    await writeFile(file, `# rotation 2026-11\n${K2}\n${K1}\n`);
    await chmod(file, 0o600);
    const { code, stdout } = await cli(
      ['rotate', '-s', `sqlite:${path}`, '-n', 'conns', '--keys-file', file, '--json'],
      { CREDVAULT_KEYS: undefined },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).rewrapped).toBe(5);
  });

  it.skipIf(process.platform === 'win32').each(['0644', '0640', '0604', '0620'])(
    'refuses a --keys-file of mode %s (exit 2), as ssh refuses an unprotected private key, touching nothing',
    async (octal) => {
      const mode = Number.parseInt(octal, 8);
      const path = await seeded(5);
      const before = await rawValues(path);
      const file = join(dir, `keys-${octal}.txt`);
      await writeFile(file, `${K2}\n${K1}\n`);
      await chmod(file, mode);
      for (const command of [['rotate'], ['rotate', '--workers', '1'], ['status']]) {
        const { code, stdout, stderr } = await cli(
          [...command, '-s', `sqlite:${path}`, '-n', 'conns', '--keys-file', file],
          { CREDVAULT_KEYS: undefined },
        );
        expect(code).toBe(2);
        expect(stdout).toBe('');
        expect(stderr).toContain(
          `the keys file ${file} is open to group or others (mode ${octal}): it holds master keys, chmod 600 ${file}`,
        );
        expect(stderr).not.toContain(K1.split(':')[1] as string);
      }
      expect(await rawValues(path)).toEqual(before);
    },
  );
});

describe('credvault errors', () => {
  it.each([
    [
      ['rotate', '--store', 'mysql://x'],
      { CREDVAULT_KEYS: K1 },
      2,
      'the store must be sqlite:<path> or redis://host:port',
    ],
    [['rotate', '--store', 'sqlite:'], { CREDVAULT_KEYS: K1 }, 2, 'sqlite store needs a path'],
    [['status', '--store', 'sqlite:/tmp/x.db'], { CREDVAULT_KEYS: undefined }, 2, 'no keys: set CREDVAULT_KEYS'],
    [['status', '--store', 'sqlite:/tmp/x.db'], { CREDVAULT_KEYS: 'k1:c2hvcnQ' }, 2, 'key "k1": must be 32 bytes'],
    [
      ['status', '--store', 'redis://127.0.0.1:1', '--timeout', '200'],
      { CREDVAULT_KEYS: K1 },
      1,
      'cannot reach Redis at redis://127.0.0.1:1',
    ],
    [['rotate'], { CREDVAULT_KEYS: K1, CREDVAULT_STORE: undefined }, 2, 'no store: pass --store <spec>'],
    [
      ['rotate', '-s', 'sqlite:/tmp/x.db', '--batch-size', '0'],
      { CREDVAULT_KEYS: K1 },
      2,
      'must be a positive whole number',
    ],
    [['frobnicate'], {}, 2, "unknown command 'frobnicate'"],
  ] as const)('%j: exit code and message', async (args, env, code, message) => {
    const result = await cli([...args], env);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain(K1.split(':')[1] as string);
  });
});
