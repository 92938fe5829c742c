import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CredentialObjectSchema,
  connectionSchema,
  createVault,
  defineCredentialSchema,
  formatKeyEntry,
  generateKey,
  parseKeyList,
} from '@credvault/core';
import { sqliteStore } from '@credvault/sqlite';
import { SUITE_SECRETS, suiteConnection } from '@credvault/test-suite';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/io.js';

const dir = await mkdtemp(join(tmpdir(), 'credvault-cli-clear-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const K1 = formatKeyEntry('k1', generateKey());
const CONNECTION_TOKEN = SUITE_SECRETS[2] as string;

// What an older application wrote: the built-in Connection shape, but `connectionToken` readable.
const before = defineCredentialSchema(connectionSchema.schema as unknown as CredentialObjectSchema, {
  secret: ['accessToken', 'refreshToken'],
});

async function rows(path: string): Promise<string[]> {
  const store = sqliteStore({ path });
  const out: string[] = [];
  for await (const [, value] of store.entries('conns:')) out.push(value);
  await store.close();
  return out;
}

describe('a field that became secret: credvault verify reports it, rotate --reencrypt seals it', () => {
  it('runs the documented migration end to end on SQLite', async () => {
    const path = join(dir, 'clear.db');
    const store = sqliteStore({ path });
    const old = createVault({ store, keyring: parseKeyList(K1), schema: before, namespace: 'conns' });
    for (let i = 0; i < 12; i++) await old.set(`c${i}`, suiteConnection(`c${i}`));
    await store.close();
    expect((await rows(path)).every((value) => value.includes(CONNECTION_TOKEN))).toBe(true);

    const env = { CREDVAULT_KEYS: K1 };
    const args = ['-s', `sqlite:${path}`, '-n', 'conns'];
    const found = await cli(['verify', ...args], env);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('12 records, 0 ok, 12 failed');
    expect(found.stdout).toContain('! c0: SECRET_IN_CLEAR at connectionToken');
    expect(found.stdout).toContain('credvault rotate --reencrypt');
    expect(found.stdout + found.stderr).not.toContain(CONNECTION_TOKEN);
    const json = JSON.parse((await cli(['verify', ...args, '--json'], env)).stdout);
    expect(json.failed[0]).toEqual({ id: 'c0', code: 'SECRET_IN_CLEAR', path: 'connectionToken' });

    const plain = await cli(['rotate', ...args, '--json'], env);
    expect(JSON.parse(plain.stdout)).toMatchObject({ rewrapped: 0, alreadyCurrent: 12 });
    expect((await cli(['verify', ...args], env)).code).toBe(1);

    const moved = await cli(['rotate', ...args, '--reencrypt'], env);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/rewrapped +12/);
    expect((await rows(path)).some((value) => value.includes(CONNECTION_TOKEN))).toBe(false);

    const clean = await cli(['verify', ...args], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('12 records, 12 ok, 0 failed');
    const reopened = sqliteStore({ path });
    const now = createVault({
      store: reopened,
      keyring: parseKeyList(K1),
      schema: connectionSchema,
      namespace: 'conns',
    });
    expect((await now.get('c5'))?.connectionToken).toBe(CONNECTION_TOKEN);
    await reopened.close();
  });
});
