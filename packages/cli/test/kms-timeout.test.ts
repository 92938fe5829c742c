import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/io.js';

/**
 * Issue 31, "Remote key calls have no deadline": the CLI never hangs on a KMS that accepts the
 * connection and never answers. The endpoint below reads each request and never responds.
 */
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(() => {}); // never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const stalledEnv = () => ({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDSTALLED',
  AWS_SECRET_ACCESS_KEY: 'stalled-secret',
  CREDVAULT_AWS_KMS_ENDPOINT: url,
});

describe('a KMS that never answers', () => {
  it.each([['--wrap'], ['--remote']])('keygen %s fails with KEY_UNAVAILABLE at --kms-timeout', async (flag) => {
    const started = Date.now();
    const run = await cli(
      ['keygen', '--kid', 'k1', flag, 'aws-kms:alias/stalled', '--kms-timeout', '300'],
      stalledEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('KEY_UNAVAILABLE');
    expect(run.stderr).toContain('no answer within 300 ms');
    expect(run.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a store command opening a wrapped entry fails with KEY_UNAVAILABLE at --kms-timeout', async () => {
    const started = Date.now();
    const run = await cli(['status', '--store', 'sqlite::memory:', '--kms-timeout', '300'], {
      ...stalledEnv(),
      CREDVAULT_KEYS: 'w1:wrapped:aws-kms:alias/stalled:AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('KEY_UNAVAILABLE');
    expect(run.stderr).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a --kms-timeout that is not a positive whole number', async () => {
    const run = await cli(['keygen', '--remote', 'aws-kms:alias/stalled', '--kms-timeout', '0'], stalledEnv());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--kms-timeout');
  });
});
