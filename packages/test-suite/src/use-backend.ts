import { once } from 'node:events';
import { createServer } from 'node:net';

/** The vitest hooks a `use...()` helper registers: pass `import * as vitest from 'vitest'` or `{ beforeAll, afterAll }`. */
export type Hooks = {
  beforeAll(fn: () => unknown, timeout?: number): void;
  afterAll(fn: () => unknown, timeout?: number): void;
};

/** How {@link useBackend} starts and stops one backend. */
export interface BackendLifecycle<T> {
  /** What it is, for the error when a test uses it without it running. */
  readonly name: string;
  /** Whether it can run here; when false nothing is started (the caller's tests skip). */
  readonly available: boolean;
  start(): Promise<T>;
  stop(started: T): unknown;
  readonly startTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
}

/**
 * Starts a backend before the file's tests (when available) and stops it after them; `get()`
 * returns it inside a test. The shape shared by `useRedisServer`, `usePostgresServer`,
 * `useRedisCluster` and `useKmsServer`.
 */
export function useBackend<T>(hooks: Hooks, lifecycle: BackendLifecycle<T>): { available: boolean; get(): T } {
  let started: T | undefined;
  hooks.beforeAll(async () => {
    if (lifecycle.available) started = await lifecycle.start();
  }, lifecycle.startTimeoutMs ?? 60_000);
  hooks.afterAll(async () => {
    if (started !== undefined) await lifecycle.stop(started);
  }, lifecycle.stopTimeoutMs ?? 30_000);
  return {
    available: lifecycle.available,
    get() {
      if (started === undefined)
        throw new Error(`${lifecycle.name} is not running (is the test skipped when !available?)`);
      return started;
    },
  };
}

/**
 * Whether a backend's tests can run: `true` when it is installed; otherwise a loud warning and
 * `false` locally (the tests skip), and an error under CI (`CI` set), where it must be installed.
 */
export function backendAvailable(installed: boolean, label: string, message: string): boolean {
  if (installed) return true;
  if (process.env.CI) throw new Error(`${message}. CI must install it.`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPING ${label} TESTS: ${message}\n${'!'.repeat(100)}\n`);
  return false;
}

/**
 * `start(port)` on a port free right now, and on another one when it fails: another process may
 * take the port between this check and the server binding it. Up to `attempts` ports; then it
 * throws every attempt's error.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  const errors: unknown[] = [];
  while (errors.length < attempts) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  const reasons = errors.map((error) => (error instanceof Error ? error.message : String(error)));
  throw new AggregateError(errors, `could not start on any of ${attempts} free ports:\n${reasons.join('\n')}`);
}

/** A TCP port free on the loopback interface right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
