/**
 * `credvault migrate` killed with SIGKILL again and again on 20,000 legacy rows, with the
 * application writing meanwhile (issue 32, "Proof"): run again, it finishes with 0 records
 * lost, 0 legacy values left, and every write the application made stands.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  connectionSchema,
  createVault,
  formatKeyEntry,
  generateKey,
  isLegacyValue,
  parseKeyList,
  plaintextJson,
  type VaultStore,
} from '@credvault/core';
import { postgresTableStore } from '@credvault/postgres';
import { sqliteStore, sqliteTableStore } from '@credvault/sqlite';
import { usePostgresServer } from '@credvault/test-suite';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROWS = 20_000;
const KILLS = [1, 3, 2]; // kill after this many progress lines (one per tenth of the scan) of each run
const server = usePostgresServer({ beforeAll, afterAll });
const dir = mkdtempSync(join(tmpdir(), 'credvault-migrate-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys = formatKeyEntry('k1', generateKey());
const bin = new URL('../src/bin.ts', import.meta.url).pathname;

function legacyRecord(i: number, status: string): string {
  return JSON.stringify({
    idConnection: `c${i}`,
    status,
    providerSlug: 'hubspot',
    vertical: 'crm',
    accountUrl: 'https://example.com',
    tokenType: 'oauth2',
    accessToken: `access-${i}-${'x'.repeat(200)}`,
    refreshToken: `refresh-${i}`,
    expirationTimestamp: '2030-01-01T00:00:00.000Z',
    createdAt: '2024-01-01T00:00:00.000Z',
    connectionToken: `ct-${i}`,
    idProject: 'p1',
    idLinkedUser: `u${i}`,
  });
}

/** Runs `credvault migrate` with `storeArgs`; with `killAfter`, SIGKILLs it after that many progress lines. */
async function runMigrate(
  storeArgs: string[],
  killAfter?: number,
): Promise<{ code: number | null; killed: boolean; stdout: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@credvault/source', '--import', 'tsx', bin, 'migrate', ...storeArgs, '--batch-size', '250'],
    {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, CREDVAULT_KEYS: keys },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let lines = 0;
  let killed = false;
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    if (!line.startsWith('migrate:')) return;
    lines += 1;
    if (killAfter !== undefined && lines >= killAfter && !killed) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, killed, stdout };
}

async function killAndResume(storeArgs: string[], store: VaultStore, namespace = 'default'): Promise<void> {
  const batch: [string, string][] = [];
  for (let i = 0; i < ROWS; i++) batch.push([`${namespace}:c${i}`, legacyRecord(i, 'legacy')]);
  await store.setMany?.(batch);
  const vault = createVault({ store, keyring: parseKeyList(keys), schema: connectionSchema, legacy: plaintextJson() });
  // The application: writes records all through the migration, as envelopes (new code) and as
  // legacy values (an instance still on the old code); the last write of each id must stand.
  const wrote = new Map<string, string>();
  let writing = true;
  const app = (async () => {
    for (let n = 0; writing; n++) {
      const i = (n * 7919) % ROWS;
      const status = `app-${n}`;
      if (n % 3 === 0) await store.set(`${namespace}:c${i}`, legacyRecord(i, status));
      else await vault.update(`c${i}`, (current) => (current === undefined ? undefined : { ...current, status }));
      wrote.set(`c${i}`, status);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  try {
    for (const after of KILLS) {
      const run = await runMigrate(storeArgs, after);
      expect(run.killed, `the run killed after ${after} progress lines ended first: ${run.stdout}`).toBe(true);
      expect(run.code).toBeNull();
    }
  } finally {
    writing = false;
    await app;
  }
  const last = await runMigrate(storeArgs);
  expect(last.code, last.stdout).toBe(0);
  let legacy = 0;
  let total = 0;
  for await (const [, value] of store.entries?.(`${namespace}:`) ?? []) {
    total += 1;
    if (isLegacyValue(value)) legacy += 1;
  }
  expect({ total, legacy }).toEqual({ total: ROWS, legacy: 0 });
  const strict = createVault({ store, keyring: parseKeyList(keys), schema: connectionSchema });
  const read = new Map<string, { accessToken: string; status: string }>();
  for await (const [id, record] of strict.entries()) read.set(id, record); // strict: a legacy value would throw
  for (let i = 0; i < ROWS; i++) {
    const record = read.get(`c${i}`);
    expect(record?.accessToken).toBe(`access-${i}-${'x'.repeat(200)}`);
    expect(record?.status).toBe(wrote.get(`c${i}`) ?? 'legacy');
  }
  expect(wrote.size).toBeGreaterThan(50);
}

const TABLE_FLAGS = ['--table', 'connections', '--id-column', 'id', '--envelope-column', 'auth'];
const DDL = 'CREATE TABLE connections (id text PRIMARY KEY, user_id text, auth text)';
const TABLE = { table: 'connections', idColumn: 'id', envelopeColumn: 'auth', missingRows: 'insert' } as const;

describe('credvault migrate under kill -9, with the application writing', () => {
  it('SQLite, a table of your own: resumes to 0 lost, 0 legacy left, every application write standing', {
    timeout: 240_000,
  }, async () => {
    const path = join(dir, 'own.db');
    await new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(path);
      db.exec(DDL, (error) => db.close(() => (error === null ? resolve() : reject(error))));
    });
    const store = sqliteTableStore({ path, ...TABLE });
    try {
      await killAndResume(['--store', `sqlite:${path}`, ...TABLE_FLAGS], store);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!server.available)(
    'PostgreSQL, a table of your own, sealed on worker threads (--workers): resumes to 0 lost, 0 legacy left, every application write standing',
    { timeout: 240_000 },
    async () => {
      await server.server().sql(DDL);
      const store = postgresTableStore({ url: server.url(), ...TABLE });
      try {
        await killAndResume(['--store', server.url(), ...TABLE_FLAGS, '--workers', '1'], store);
      } finally {
        await store.close();
      }
    },
  );

  it('SQLite: resumes to 0 lost, 0 legacy left, every application write standing', { timeout: 240_000 }, async () => {
    const path = join(dir, 'kill.db');
    const store = sqliteStore({ path });
    try {
      await killAndResume(['--store', `sqlite:${path}`], store);
    } finally {
      await store.close?.();
    }
  });
});
