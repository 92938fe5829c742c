// A child process of outage.test.ts: an application writing through a vault on redisStore while
// its parent kills and restarts Redis. Four concurrent `vault.set` loops, each on ids of its own.
// Reads "killed" and "restarted" lines on stdin; after "restarted" it runs until each loop has
// succeeded AFTER_RESTART more times, then reads every acknowledged write back, closes the store
// and prints one JSON line (see Report). It counts uncaught exceptions and unhandled rejections
// instead of dying of them: zero is what the parent asserts.
import { createInterface } from 'node:readline';
import { connectionSchema, createKeyring, createVault, generateKey, isVaultError } from '@credvault/core';
import { suiteConnection } from '@credvault/test-suite';
import { redisStore } from '../../src/index.js';

/** What the child prints when it is done. */
export interface Report {
  readonly uncaught: string[];
  readonly unhandled: string[];
  /** Calls that failed, by phase. */
  readonly failed: { readonly before: number; readonly outage: number; readonly after: number };
  readonly succeeded: { readonly before: number; readonly outage: number; readonly after: number };
  /** Failures that were not `VaultError` `STORE_FAILED` (their code or message). */
  readonly otherErrors: string[];
  /** The longest a failed call took, in ms. */
  readonly slowestFailure: number;
  /** Ids acknowledged by `vault.set`. */
  readonly acked: number;
  /** Acknowledged ids that did not read back with the value written. */
  readonly missing: string[];
}

const uncaught: string[] = [];
const unhandled: string[] = [];
/** Counts it, and tells the parent at once (a client left broken by it may never let the run finish). */
const report = (list: string[], what: unknown) => {
  const text = String((what as Error)?.stack ?? what);
  list.push(text);
  console.log(JSON.stringify({ event: 'uncaught', text }));
};
process.on('uncaughtException', (error) => report(uncaught, error));
process.on('unhandledRejection', (reason) => report(unhandled, reason));

const [url, timeoutArg, waitArg] = process.argv.slice(2) as [string, string, string];
const LOOPS = 4;
const AFTER_RESTART = 20;
const timeout = Number(timeoutArg);
const waitForReplicas = Number(waitArg);
const store = redisStore({ url, timeout, waitForReplicas });
const vault = createVault({
  store,
  keyring: createKeyring([{ kid: 'k1', key: generateKey() }]),
  schema: connectionSchema,
  namespace: 'outage',
});

type Phase = 'before' | 'outage' | 'after';
let phase: Phase = 'before';
const failed = { before: 0, outage: 0, after: 0 };
const succeeded = { before: 0, outage: 0, after: 0 };
const otherErrors: string[] = [];
let slowestFailure = 0;
const acked = new Map<string, string>();
const afterRestart = new Array<number>(LOOPS).fill(0);
let announced = false;

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'killed') phase = 'outage';
  if (line === 'restarted') phase = 'after';
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = Date.now() + 90_000; // never runs away, whatever the parent does
await Promise.all(
  Array.from({ length: LOOPS }, async (_, loop) => {
    for (let n = 0; (afterRestart[loop] as number) < AFTER_RESTART && Date.now() < deadline; n++) {
      const id = `loop${loop}-${n}`;
      const token = `token-${loop}-${n}`;
      const started = Date.now();
      const at = phase;
      try {
        await vault.set(id, suiteConnection(id, { accessToken: token }));
        acked.set(id, token);
        succeeded[at] += 1;
        if (at === 'after' && phase === 'after') afterRestart[loop] = (afterRestart[loop] as number) + 1;
        if (!announced && acked.size >= 40) {
          announced = true;
          console.log(JSON.stringify({ event: 'running' }));
        }
      } catch (error) {
        failed[at] += 1;
        slowestFailure = Math.max(slowestFailure, Date.now() - started);
        if (!isVaultError(error, 'STORE_FAILED')) otherErrors.push(String((error as Error)?.message ?? error));
        await sleep(20);
      }
    }
  }),
);

lines.close();
process.stdin.destroy(); // nothing more to read: let the process end

const missing: string[] = [];
for (const [id, token] of acked) {
  const record = await vault.get(id);
  if (record?.accessToken !== token) missing.push(id);
}
await store.close();
const done: Report = {
  uncaught,
  unhandled,
  failed,
  succeeded,
  otherErrors: otherErrors.slice(0, 20),
  slowestFailure,
  acked: acked.size,
  missing,
};
console.log(JSON.stringify({ event: 'done', report: done }));
process.exitCode = 0;
setTimeout(() => {
  // Only when something keeps the process alive after close: say what, for the parent's failure message.
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  console.error(`still alive after close: ${handles.map((h) => h.constructor.name).join(', ')}`);
  for (const h of handles)
    if (h.constructor.name === 'Socket') console.error((h as { remotePort?: number }).remotePort);
}, 5000).unref();
