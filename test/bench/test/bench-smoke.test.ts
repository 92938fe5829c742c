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
    // Row labels only: column headers change with what a table shows, and the structural check
    // below catches a table whose rows and header disagree or whose cells are not numbers.
    for (const row of [
      'node:crypto AES-256-GCM (floor)',
      'credvault envelope (cv1)',
      '@47ng/cloak, per secret field',
      'the envelope’s 4 AEAD calls alone (bound)',
      'the cv1 format’s work in one function, no checks (bound)',
      '| memory |',
      '| SQLite |',
      '| SQLite (better-sqlite3) |',
      'rewraps 3 records, not 300',
      'Drizzle upsert + select on SQLite (better-sqlite3) ≤ 1.25x the plaintext column',
    ])
      expect(stdout).toContain(row);
    const tables = markdownTables(stdout);
    expect(tables.length).toBeGreaterThanOrEqual(9);
    for (const { header, rows } of tables) {
      expect(rows.length, header.join(' | ')).toBeGreaterThan(0);
      for (const cells of rows) {
        expect(cells.length, `${cells[0]} under ${header.join(' | ')}`).toBe(header.length);
        for (const cell of cells) expect(cell).not.toMatch(/^$|NaN|undefined|Infinity|\[object /);
      }
    }
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

/** The markdown tables of `text`: each header's cells and each body row's cells. */
function markdownTables(text: string): { header: string[]; rows: string[][] }[] {
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
  const tables: { header: string[]; rows: string[][] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!(lines[i]?.startsWith('| ') && lines[i + 1]?.startsWith('| ---'))) continue;
    const table = { header: cells(lines[i] as string), rows: [] as string[][] };
    for (i += 2; lines[i]?.startsWith('| '); i++) table.rows.push(cells(lines[i] as string));
    tables.push(table);
  }
  return tables;
}
