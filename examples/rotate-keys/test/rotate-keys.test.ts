import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'credvault-rotate-example-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('examples/rotate-keys', () => {
  it('walks the four steps and ends with every record on the new key', async () => {
    const { stdout } = await run('bash', ['rotate.sh'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, ROTATE_DB: join(dir, 'demo.db'), CREDVAULT_KEYS: '' },
    });
    const step = (name: string) => stdout.slice(stdout.indexOf(name));
    expect(step('== before')).toMatch(/1000 records, primary kid 2026-01/);
    expect(step('== step 1')).toMatch(/2026-11 +0 {2}\(no records left: can be retired\)/);
    expect(step('== step 2')).toMatch(/2026-11 +10 {2}\(primary\)[\s\S]*2026-01 +1000 {2}\(still in use/);
    expect(step('== step 3')).toContain('dry run: would rotate namespace "connections" to kid 2026-11');
    expect(step('== step 3')).toMatch(
      /rotated namespace "connections" to kid 2026-11\n {2}scanned +1010\n {2}rewrapped +1000\n {2}already current +10/,
    );
    expect(step('== step 3')).toMatch(/2026-01 +0 {2}\(no records left: can be retired\)/);
    expect(step('== step 4')).toContain('verified namespace "connections": 1010 records, 1010 ok, 0 failed');
  }, 120_000);
});
