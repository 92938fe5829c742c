import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Socket } from 'node:net';
import { backendAvailable, freePort, type Hooks, useBackend } from './use-backend.js';

/** A real redis-server started for tests. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then waits for it to exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port, after {@link RedisServer.stop}. */
  restart(): Promise<void>;
}

/** Whether a `redis-server` binary is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Decides whether Redis tests can run: yes when redis-server is installed; otherwise a loud
 * warning and a skip locally, and an error under CI (where `.ci/run` must have installed it).
 */
export function redisAvailable(): boolean {
  if (hasRedisServer()) return true;
  const message = 'redis-server is not installed: Redis tests cannot run (apt-get install -y redis-server)';
  return backendAvailable(false, 'REDIS', message);
}

async function waitForPing(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.setTimeout(200);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

/**
 * Starts `redis-server` on a free loopback port, without persistence, and waits until it
 * answers. Stop it with `stop()` (tests stop it in `afterAll`).
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPing(port, Date.now() + 10_000);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: start };
}

/** The vitest hooks the helpers below register. */

/** A redis-server for the tests of one file. */
export interface TestRedis {
  /** False when redis-server is not installed (tests skip; under CI this throws instead). */
  readonly available: boolean;
  /** Its URL, once `beforeAll` has run. */
  url(): string;
  /** The server itself, to stop and restart it. */
  server(): RedisServer;
}

/**
 * Starts a real redis-server on a free loopback port before the file's tests and stops it
 * after them; see {@link redisAvailable} for what happens when redis-server is missing.
 * @example
 * ```ts
 * const redis = useRedisServer(vitest)
 * it.skipIf(!redis.available)('works on Redis', () => run(redis.url()))
 * ```
 */
export function useRedisServer(hooks: Hooks): TestRedis {
  const redis = useBackend(hooks, {
    name: 'redis-server',
    available: redisAvailable(),
    start: startRedisServer,
    stop: (server) => server.stop(),
    startTimeoutMs: 30_000,
  });
  return { available: redis.available, server: redis.get, url: () => redis.get().url };
}
