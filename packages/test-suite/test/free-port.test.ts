import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { redisAvailable, startRedisServer } from '../src/redis-server.js';
import { onFreePort } from '../src/use-backend.js';

describe('onFreePort', () => {
  it('starts on another port when the first one was taken meanwhile, and gives up after its attempts', async () => {
    const tried: number[] = [];
    const started = await onFreePort(async (port) => {
      tried.push(port);
      if (tried.length === 1) {
        const thief = createServer().listen(port, '127.0.0.1'); // taken between the check and the bind
        await once(thief, 'listening');
        thief.close();
        throw new Error(`port ${port} is taken`);
      }
      return `up on ${port}`;
    });
    expect(tried).toHaveLength(2);
    expect(started).toBe(`up on ${tried[1]}`);
    let calls = 0;
    await expect(
      onFreePort(async () => {
        calls += 1;
        throw new Error('never starts');
      }),
    ).rejects.toThrow('could not start on any of 3 free ports:\nnever starts\nnever starts\nnever starts');
    expect(calls).toBe(3);
  });
});

describe.skipIf(!redisAvailable())('startRedisServer', () => {
  it('waits for its own server, not for whichever answers on its port', async () => {
    const server = await startRedisServer();
    await server.stop();
    // Another process's redis-server takes the port; ours cannot bind it and exits. A PING on the
    // port would be answered all the same.
    const other = spawn('redis-server', ['--port', String(server.port), '--bind', '127.0.0.1', '--save', ''], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      let log = '';
      for await (const chunk of other.stdout) {
        log += String(chunk);
        if (log.includes('Ready to accept connections')) break; // it holds the port now
      }
      await expect(server.restart()).rejects.toThrow(`redis-server on port ${server.port} exited`);
    } finally {
      other.kill('SIGKILL');
      await server.stop(); // in case ours started after all
    }
  });
});
