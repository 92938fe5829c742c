import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { usePostgresServer, useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = await useTempDir('swap', { afterAll });
const redis = useRedisServer({ beforeAll, afterAll });
const postgres = usePostgresServer({ beforeAll, afterAll });

const expected = ['hubspot-1: hubspot active', 'salesforce-1: salesforce revoked', 'google-1 after delete: gone'];

async function start(spec: string): Promise<string> {
  const { stdout } = await run('pnpm', ['--silent', 'start', spec], { cwd: new URL('..', import.meta.url).pathname });
  return stdout;
}

describe('examples/swap-stores: the same app on every store', () => {
  it('runs on memory', async () => {
    const out = await start('memory');
    expect(out).toContain('store: keyv (memory)');
    for (const line of expected) expect(out).toContain(line);
  });

  it('runs on SQLite', async () => {
    const out = await start(`sqlite:${join(dir, 'swap.db')}`);
    expect(out).toContain('store: sqlite');
    for (const line of expected) expect(out).toContain(line);
  });

  it.skipIf(!redis.available)('runs on Redis', async () => {
    const out = await start(redis.url());
    expect(out).toContain('store: redis');
    for (const line of expected) expect(out).toContain(line);
  });

  it.skipIf(!postgres.available)('runs on PostgreSQL, never printing the password', async () => {
    const out = await start(postgres.url());
    expect(out).toContain('store: postgres (postgres://***@127.0.0.1');
    expect(out).not.toContain('credvault-test-password');
    for (const line of expected) expect(out).toContain(line);
  });
});
