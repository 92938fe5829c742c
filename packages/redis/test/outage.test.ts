import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RedisServer, redisAvailable, startRedisServer, useRedisCluster } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from './support/outage-writer.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WRITER = fileURLToPath(new URL('./support/outage-writer.ts', import.meta.url));
const TIMEOUT = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The writer child, and a way to wait for its next JSON event on stdout. */
function startWriter(url: string, waitForReplicas: number) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@credvault/source', '--import', 'tsx', WRITER, url, String(TIMEOUT), String(waitForReplicas)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const uncaught: string[] = [];
  const waiters: { event: string; resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (let nl = stdout.indexOf('\n'); nl >= 0; nl = stdout.indexOf('\n')) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      let message: { event?: string } | undefined;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // anything else the child printed
      }
      if (message?.event === 'uncaught') {
        uncaught.push((message as { text: string }).text);
        for (const waiter of waiters) waiter.reject(new Error(`uncaught in the writer:\n${uncaught.join('\n')}`));
      }
      for (const waiter of waiters.filter((w) => w.event === message?.event)) waiter.resolve(message);
    }
  });
  const next = <T>(event: string, ms: number) =>
    Promise.race([
      uncaught.length === 0
        ? new Promise<never>(() => {})
        : Promise.reject(new Error(`uncaught in the writer:\n${uncaught.join('\n')}`)),
      new Promise<T>((resolve, reject) =>
        waiters.push({ event, resolve: resolve as (value: unknown) => void, reject }),
      ),
      exited.then(() => {
        throw new Error(`the writer exited before "${event}"; its stderr:\n${stderr}`);
      }),
      sleep(ms).then(() => {
        const seen = uncaught.length === 0 ? '' : `; uncaught in it:\n${uncaught.join('\n')}`;
        throw new Error(`no "${event}" from the writer within ${ms} ms${seen}; its stderr:\n${stderr}`);
      }),
    ]);
  return {
    next,
    tell: (line: string) => child.stdin?.write(`${line}\n`),
    exited,
    stderr: () => stderr,
    kill: () => child.kill('SIGKILL'),
  };
}

/** Runs the writer through an outage made by `kill` and ended by `restart`, and checks its report. */
async function survivesOutage(
  url: string,
  waitForReplicas: number,
  kill: () => Promise<void>,
  restart: () => Promise<void>,
  mustExit = true,
): Promise<void> {
  const writer = startWriter(url, waitForReplicas);
  try {
    await writer.next('running', 30_000);
    await kill();
    writer.tell('killed');
    await sleep(3 * TIMEOUT); // calls keep failing meanwhile, none may hang
    await restart();
    writer.tell('restarted');
    const { report } = await writer.next<{ report: Report }>('done', 60_000);
    const code = await Promise.race([writer.exited, sleep(15_000).then(() => 'still running 15 s after it was done')]);
    // and nothing the store left behind keeps the process alive (see the cluster case)
    if (mustExit) expect(code, writer.stderr()).toBe(0);
    expect(report.uncaught).toEqual([]);
    expect(report.unhandled).toEqual([]);
    expect(report.otherErrors).toEqual([]); // every failure was STORE_FAILED
    expect(report.failed.outage).toBeGreaterThan(0);
    expect(report.slowestFailure).toBeLessThan(TIMEOUT + 1500); // bounded by the timeout, no hang
    expect(report.succeeded.after).toBeGreaterThanOrEqual(4 * 20);
    expect(report.acked).toBeGreaterThan(0);
    expect(report.missing).toEqual([]); // every acknowledged write reads back
  } finally {
    writer.kill();
  }
}

describe.skipIf(!redisAvailable())('an application writing through redisStore while Redis crashes', () => {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer({ appendOnly: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('one server, SIGKILLed and restarted on its data dir: STORE_FAILED meanwhile, no crash, nothing acknowledged lost', async () => {
    const redis = server as RedisServer;
    await survivesOutage(redis.url, 0, redis.kill, redis.restart);
  }, 120_000);
});

const cluster = useRedisCluster({ beforeAll, afterAll });

describe.skipIf(!cluster.available)('an application writing through redisStore while a cluster master crashes', () => {
  // One master SIGKILLed: its replica is promoted, and with waitForReplicas 1 that shard refuses
  // writes (STORE_FAILED: no replica to confirm) until the old master is restarted and rejoins as
  // its replica. The test cluster has no persistence, so killing every node would lose the data.
  it('one master SIGKILLed and restarted: STORE_FAILED meanwhile, no crash, nothing acknowledged lost', async () => {
    const c = cluster.cluster();
    const victim = (await c.masters())[0];
    if (victim === undefined) throw new Error('no master');
    await survivesOutage(
      c.url,
      1,
      () => victim.kill('SIGKILL'),
      async () => {
        await victim.restart();
        await c.healthy(30_000);
      },
      // Known and open: after a master crash, a closed cluster store can leave node-redis sockets
      // open (1 run in 3 here: "still alive after close: Socket, Socket, Socket"), so the process
      // may not exit by itself. Everything else is asserted; the README says so.
      false,
    );
  }, 150_000);
});
