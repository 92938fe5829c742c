import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'credvault-quickstart-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('examples/quickstart', () => {
  it('stores, reads, lists and deletes a Connection, sealing its secrets in the SQLite file', async () => {
    const db = join(dir, 'quickstart.db');
    const { CREDVAULT_KEYS: _, ...inherited } = process.env;
    const env = { ...inherited, QUICKSTART_DB: db };
    const { stdout } = await run('pnpm', ['--silent', 'start'], { cwd: new URL('..', import.meta.url).pathname, env });
    expect(stdout).toContain('stored 2 connections');
    expect(stdout).toMatch(/raw stored value:\n {2}cv1\.demo-1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.\{"accountUrl"/);
    expect(stdout).toContain('secrets visible in the stored value: none');
    expect(stdout).toContain("accessToken: '[REDACTED]'");
    expect(stdout).toContain('accessToken round-trips: true');
    expect(stdout).toContain(
      'entries -> 123e4567-e89b-12d3-a456-426614174000 (hubspot, expires 2024-10-01T12:00:00.000Z)',
    );
    expect(stdout).toContain('entries -> second-connection (salesforce');
    expect(stdout).toContain('delete -> true');
    expect(stdout).toContain('get after delete -> undefined');
    const bytes = await readFile(db);
    expect(bytes.includes('salesforce')).toBe(true);
    for (const secret of ['access_token_example', 'refresh_token_example', 'connection_token_example']) {
      expect(bytes.includes(secret)).toBe(false);
    }
  }, 60_000);
});
