import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server with an append-only file fsynced on every write, killable and restartable on its port and data dir. */
export interface AofRedis {
  readonly url: string;
  /** SIGKILL: a crash, nothing flushed beyond what `appendfsync always` already wrote. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir (it loads the append-only file). */
  restart(): Promise<void>;
  /** Stops it and removes its data dir. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once `child` logs that it accepts connections; rejects if it exits or stays silent for 10 s. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${log}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-2000);
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code ?? signal}): ${log}`));
    });
  });
}

/**
 * Starts `redis-server` on a free loopback port with `appendonly yes` and `appendfsync always`
 * in a temp dir, so a write Redis acknowledged survives SIGKILL and a restart.
 */
export async function startAofRedis(): Promise<AofRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'credvault-redis-aof-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
    args.push('--appendonly', 'yes', '--appendfsync', 'always');
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    await ready(child);
  };
  const kill = async (signal: NodeJS.Signals) => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () => kill('SIGKILL'),
    restart: start,
    async stop() {
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
