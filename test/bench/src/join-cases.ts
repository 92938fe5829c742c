import { spawn } from 'node:child_process';
import { formatKeyEntry, generateKey, type KeyEntry, type VaultStore } from '@credvault/core';
import { timeOnce } from './measure.js';
import { seed } from './rotation-cases.js';
import { openSpec } from './spec.js';

/** A joined rotation on one store, per process count: each list one value per run. */
export interface JoinRuns {
  readonly records: number;
  /** Wall time from the start signal until every process returned, by process count. */
  readonly ms: Map<number, number[]>;
  /** Single-client store passes per record over the same records: the scan (`entries`), the workers' reads (`getMany` by 1000), the writes (`replacePrefixMany` of every head, unchanged). */
  readonly scanPerRecordMs: number[];
  readonly readPerRecordMs: number[];
  readonly writePerRecordMs: number[];
}

const CHILD = new URL('./join-child.ts', import.meta.url).pathname;

/** Starts `count` joined processes on run `runId`, waits until each is ready, starts them together; the wall time until all returned. */
async function joinedRun(spec: string, namespace: string, runId: string, count: number, keys: string): Promise<number> {
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, spec, namespace, runId], {
      env: { ...process.env, CREDVAULT_KEYS: keys },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready\n')) resolve();
      }),
    );
    const done = new Promise<void>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a joined process exited with ${code}`)))),
    );
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  const started = performance.now();
  for (const { child } of children) child.stdin.write('go\n');
  await Promise.all(children.map((c) => c.done));
  return performance.now() - started;
}

/** The store passes a joined rotation makes, timed one client at a time over `records` records of `namespace`. */
async function storePasses(store: VaultStore, namespace: string, records: number): Promise<[number, number, number]> {
  const keys: string[] = [];
  const scan = await timeOnce(async () => {
    for await (const [key] of (store.entries as NonNullable<VaultStore['entries']>)(`${namespace}:`)) keys.push(key);
  });
  const values: string[] = [];
  const read = await timeOnce(async () => {
    for (let i = 0; i < keys.length; i += 1000)
      values.push(...((await store.getMany?.(keys.slice(i, i + 1000))) ?? []).map((v) => v ?? ''));
  });
  const write = await timeOnce(async () => {
    for (let i = 0; i < keys.length; i += 256) {
      const batch = keys.slice(i, i + 256).map((key, j) => {
        const value = values[i + j] as string;
        const head = value.slice(0, value.indexOf('.', value.indexOf('.', 4) + 1) + 1);
        return [key, head, head] as const;
      });
      await store.replacePrefixMany?.(batch);
    }
  });
  return [scan / records, read / records, write / records];
}

/** A rotation of `records` records joined by each of `counts` processes on the store at `spec`, `runs` times. */
export async function joinCase(
  spec: string,
  records: number,
  counts: readonly number[],
  runs: number,
): Promise<JoinRuns> {
  const ms = new Map<number, number[]>(counts.map((c) => [c, []]));
  const scanPerRecordMs: number[] = [];
  const readPerRecordMs: number[] = [];
  const writePerRecordMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (const count of counts) {
      const old: KeyEntry = { kid: 'old', key: generateKey() };
      const next: KeyEntry = { kid: `new${run}x${count}`, key: generateKey() };
      const namespace = `join${run}x${count}`;
      await seed(spec, namespace, records, [old]);
      const keys = [next, old].map((k) => formatKeyEntry(k.kid, k.key)).join(',');
      ms.get(count)?.push(await joinedRun(spec, namespace, 'bench', count, keys));
      if (count === counts[0]) {
        const store = openSpec(spec);
        const [scan, read, write] = await storePasses(store, namespace, records);
        scanPerRecordMs.push(scan);
        readPerRecordMs.push(read);
        writePerRecordMs.push(write);
        await store.close?.();
      }
    }
  }
  return { records, ms, scanPerRecordMs, readPerRecordMs, writePerRecordMs };
}
