import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresAvailable, redisAvailable } from '@credvault/test-suite';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'credvault-bench-smoke-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

// Keeps `pnpm bench` working: it runs once with small sizes. No timing is asserted here;
// speed is judged by the ratios in BENCHMARKS.md, measured in one run.
describe('pnpm bench, small sizes', () => {
  it('measures every case and writes the report between the markers, keeping the prose', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    await writeFile(
      out,
      '# Benchmarks\n\nprose before\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\nprose after\n',
    );
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--quick', '--records', '300', '--time', '40', '--out', out],
      { cwd: new URL('..', import.meta.url).pathname, maxBuffer: 1 << 22 },
    );
    for (const heading of [
      'Seal + open of one Connection',
      'Seal + open of one ConnectionAuth',
      'vault.set + get against keyv.set + get',
      'vault.get against keyv.get',
      'Rotation of 300 records',
      'Master-key rotation with tenant keys against today',
      'Drizzle: upsert + select of a row with a sealed credential column against a plaintext JSON column',
      'Peak RSS',
      'Targets',
    ]) {
      expect(stdout).toContain(`### ${heading}`);
    }
    for (const row of [
      'node:crypto AES-256-GCM (floor)',
      'credvault envelope (cv1)',
      '@47ng/cloak, per secret field',
      '| memory |',
      '| SQLite |',
      'rotate, worker pool',
      'pure I/O',
      'pure I/O, every value changed (vs unchanged; the pool against it)',
      'keyv set + get + the vault’s work on a memory store',
      'keyv get + a cold vault.get on a memory store',
      'vault.get, caches off',
      'the envelope’s 4 AEAD calls alone (bound)',
      'the cv1 format’s work in one function, no checks (bound)',
      'CPU bound (vs the heads pass)',
      'rewraps 3 records, not 300',
      'main thread’s V8 heap at 100 / 300: peak; full GCs; most left by one',
      'batchSize 64: 100 / 300 records',
      '| SQLite (better-sqlite3) |',
      'Drizzle upsert + select on SQLite (better-sqlite3) ≤ 1.25x the plaintext column',
    ])
      expect(stdout).toContain(row);
    if (redisAvailable()) expect(stdout).toContain('| Redis |');
    if (postgresAvailable()) expect(stdout).toContain('| PostgreSQL |');
    if (postgresAvailable()) expect(stdout).toContain('| PostgreSQL (pg) |');
    expect(stdout).toMatch(/XChaCha20-Poly1305 path: wasm/);
    expect(stdout).toMatch(/each case run 2 times/);
    expect(stdout).toMatch(/\| \d+(\.\d+)?x \(\d+(\.\d+)?x–\d+(\.\d+)?x\) \|/); // median (min–max) over the runs
    const written = await readFile(out, 'utf8');
    expect(written.startsWith('# Benchmarks\n\nprose before\n\n<!-- results:start -->\n- machine:')).toBe(true);
    expect(written.endsWith('<!-- results:end -->\n\nprose after\n')).toBe(true);
    expect(written).not.toContain('\nold\n');
  }, 300_000);
});
