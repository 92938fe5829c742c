import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectionAuthSchema, createKeyring, createVault, generateKey, isVaultError } from '@credvault/core';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'credvault-sqlite-faults-'));
await chmod(dir, 0o755);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isVaultError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('sqliteStore faults', () => {
  it('reports a file locked by another connection clearly, and works once it is released', async () => {
    const path = join(dir, 'locked.db');
    const holder = sqliteStore({ path });
    await holder.set('k', 'v0');
    const other = sqliteStore({ path, busyTimeout: 100 });
    await holder.adapter.query('BEGIN IMMEDIATE');
    const error = await failure(other.set('k', 'v1'));
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toContain('locked by another connection');
    expect(error.message).toContain(path);
    const batch = Array.from({ length: 100 }, (_, i) => [`b${i}`, 'x'] as const);
    expect((await failure(other.setMany(batch))).code).toBe('STORE_FAILED');
    await holder.adapter.query('COMMIT');
    expect(await other.getMany(batch.map(([k]) => k))).toEqual(batch.map(() => undefined)); // nothing half-written
    await other.set('k', 'v1');
    expect(await holder.get('k')).toBe('v1');
    await Promise.all([holder.close(), other.close()]);
  });

  it('refuses writes with readOnly, saying so, and changes nothing', async () => {
    const path = join(dir, 'ro-option.db');
    const writer = sqliteStore({ path });
    await writer.set('k', 'v');
    await writer.close();
    const reader = sqliteStore({ path, readOnly: true });
    expect(await reader.get('k')).toBe('v');
    const error = await failure(reader.set('k', 'changed'));
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toContain('read-only');
    expect(await reader.get('k')).toBe('v');
    await reader.close();
  });

  it('reports a read-only database file clearly', async () => {
    const roDir = join(dir, 'ro');
    await mkdir(roDir);
    await chmod(roDir, 0o1777); // the directory stays writable (for -wal/-shm): only the file is read-only
    const path = join(roDir, 'ro-file.db');
    const writer = sqliteStore({ path });
    await writer.set('k', 'v');
    await writer.close();
    await chmod(path, 0o444);
    // Root ignores file modes: run the writer as nobody then, so the mode really applies.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const script = new URL('./support/try-write.ts', import.meta.url).pathname;
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@credvault/source', '--import', 'tsx', script, path],
      {
        ...asUser,
        cwd: new URL('..', import.meta.url).pathname,
        env: { ...process.env, HOME: dir },
      },
    );
    const outcome = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      ok: boolean;
      code: string;
      message: string;
    };
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('STORE_FAILED');
    expect(outcome.message).toContain('the database is read-only');
    const check = sqliteStore({ path });
    expect(await check.get('k')).toBe('v');
    await check.close();
  }, 30_000);

  it('reports a path that cannot be opened', async () => {
    const store = sqliteStore({ path: join(dir, 'no', 'such', 'dir', 'x.db') });
    const error = await failure(store.get('k'));
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toContain('cannot be opened');
  });

  it('keeps every secret out of the raw database and WAL bytes', async () => {
    const path = join(dir, 'secrets.db');
    const store = sqliteStore({ path });
    const vault = createVault({
      store,
      keyring: createKeyring([{ kid: 'k', key: generateKey() }]),
      schema: connectionAuthSchema,
      namespace: 'auth',
    });
    const secrets = [
      'sqlite-raw-access-1f2e',
      'sqlite-raw-pem-3d4c',
      'sqlite-raw-other-5b6a',
      'sqlite-raw-client-7980',
    ];
    for (let i = 0; i < 20; i++) {
      await vault.set(`a${i}`, {
        accessToken: secrets[0],
        pem: secrets[1],
        otherAuthInfo: [secrets[2] as string],
        clientSecret: secrets[3],
        clientId: 'visible-client-id',
      });
    }
    const files = await Promise.all([path, `${path}-wal`].map((f) => readFile(f).catch(() => Buffer.alloc(0))));
    const bytes = Buffer.concat(files);
    expect(bytes.includes('visible-client-id')).toBe(true);
    for (const secret of secrets) expect(bytes.includes(secret)).toBe(false);
    await store.close();
  });
});
