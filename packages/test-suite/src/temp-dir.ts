import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hooks } from './use-backend.js';

/** A fresh temporary directory for one test file, removed after its tests. */
export async function useTempDir(prefix: string, hooks: Pick<Hooks, 'afterAll'>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `credvault-${prefix}-`));
  hooks.afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
