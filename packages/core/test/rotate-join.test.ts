/**
 * A rotation run by many processes (`rotate({ join })`, issue 33 part 2), in one process: the
 * range hand-out under any interleaving of take, finish, expire and crash (property test), and
 * several joined rotations on one memory store, one of them holding a range and dying.
 */
import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  type Lease,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeBoard, type TakenRange } from '../src/rotation/ranges.js';
import { connection } from './support/fixtures.js';

const oldKey = { kid: 'old', key: generateKey() };
const newKey = { kid: 'new', key: generateKey() };
const TTL = 100;

/** Leases on a clock the test moves. */
function fakeLeases() {
  const held = new Map<string, { token: string; expires: number }>();
  let now = 0;
  let tokens = 0;
  const live = (name: string) => {
    const lease = held.get(name);
    return lease !== undefined && lease.expires > now ? lease : undefined;
  };
  const acquire = async (name: string, ttlMs: number): Promise<Lease | undefined> => {
    if (live(name) !== undefined) return undefined;
    const token = `t${tokens++}`;
    held.set(name, { token, expires: now + ttlMs });
    return {
      name,
      token,
      release: async () => live(name)?.token === token && held.delete(name),
      extend: async (ms) => {
        const lease = live(name);
        if (lease?.token !== token) return false;
        lease.expires = now + ms;
        return true;
      },
    };
  };
  return {
    acquire,
    live,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

type Op = { kind: 'take' | 'finish' | 'crash'; worker: number } | { kind: 'expire' };

describe('range hand-out', () => {
  it('finishes each range exactly once under any interleaving of take, finish, expire and crash', async () => {
    const step = fc.record({ kind: fc.constantFrom('take', 'take', 'finish', 'crash'), worker: fc.nat(3) });
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: step as fc.Arbitrary<Op>, weight: 5 },
      { arbitrary: fc.constant({ kind: 'expire' } as Op), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(op, { minLength: 10, maxLength: 120 }),
        async (ranges, ops) => {
          const store = memoryStore();
          const leases = fakeLeases();
          const board = () =>
            new RangeBoard({ store, lease: leases.acquire, namespace: 'ns', runId: 'r', leaseMs: TTL });
          const boards = [0, 1, 2, 3].map(board);
          for (let n = 0; n < ranges; n++) expect(await boards[0]?.writeRange(n, [`id${n}`])).toBe(true);
          const holding: (TakenRange | undefined)[] = [undefined, undefined, undefined, undefined];
          const finishes = new Map<number, number>();
          const apply = async (o: Op) => {
            if (o.kind === 'expire') return leases.advance(TTL + 1);
            const b = boards[o.worker] as RangeBoard;
            const held = holding[o.worker];
            if (o.kind === 'crash') holding[o.worker] = undefined;
            else if (o.kind === 'take' && held === undefined) {
              const taken = await b.take(ranges);
              if (taken !== undefined) {
                // nobody else holds a live lease on it: a range is never worked twice at once
                for (const [w, other] of holding.entries())
                  if (w !== o.worker && other?.n === taken.n)
                    expect(leases.live(other.lease.name)?.token).not.toBe(other.lease.token);
                expect(taken.ids).toEqual([`id${taken.n}`]);
              }
              holding[o.worker] = taken;
            } else if (o.kind === 'finish' && held !== undefined) {
              const counts = { rewrapped: 1, alreadyCurrent: 0, changedMeanwhile: 0, failed: [], by: `w${o.worker}` };
              if (await b.finish(held, counts)) finishes.set(held.n, (finishes.get(held.n) ?? 0) + 1);
              holding[o.worker] = undefined;
            }
          };
          for (const o of ops) await apply(o);
          // then every worker crashes, the leases expire, and one worker drains what is left
          leases.advance(TTL + 1);
          const last = boards[3] as RangeBoard;
          for (let taken = await last.take(ranges); taken !== undefined; taken = await last.take(ranges)) {
            const counts = { rewrapped: 1, alreadyCurrent: 0, changedMeanwhile: 0, failed: [], by: 'w3' };
            if (await last.finish(taken, counts)) finishes.set(taken.n, (finishes.get(taken.n) ?? 0) + 1);
          }
          expect(last.allDone(ranges)).toBe(true);
          for (let n = 0; n < ranges; n++) expect(finishes.get(n), `range ${n}`).toBe(1);
          for (const b of boards) {
            await b.take(ranges); // learns every done range
            expect(b.allDone(ranges)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

async function seeded(store: VaultStore, count: number) {
  const before = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionSchema, namespace: 'c' });
  await before.setMany(Array.from({ length: count }, (_, i) => [`r${i}`, connection({ status: `s${i}` })] as const));
}

const joined = (store: VaultStore) =>
  createVault({ store, keyring: createKeyring([newKey, oldKey]), schema: connectionSchema, namespace: 'c' });

describe('vault.rotate({ join })', () => {
  it('moves every record once across four joined rotations, and each reports the whole run', async () => {
    const store = memoryStore();
    await seeded(store, 1000);
    const reports = await Promise.all(
      [0, 1, 2, 3].map(() => joined(store).rotate({ batchSize: 16, join: { rangeSize: 40, leaseMs: 500 } })),
    );
    for (const report of reports) {
      expect(report.rewrapped).toBe(1000);
      expect(report.failed).toEqual([]);
      expect(report.join?.ranges).toBe(25);
      expect(report.aborted).toBe(false);
    }
    expect(reports.reduce((sum, r) => sum + (r.join?.mine.ranges ?? 0), 0)).toBe(25);
    expect(reports.reduce((sum, r) => sum + (r.join?.mine.rewrapped ?? 0), 0)).toBe(1000);
    const only = createVault({ store, keyring: createKeyring([newKey]), schema: connectionSchema, namespace: 'c' });
    expect((await only.status()).notOnPrimary).toBe(0);
    expect((await only.get('r999'))?.status).toBe('s999');
    // A finished run answers its report and does nothing.
    const again = await joined(store).rotate({ join: { rangeSize: 40 } });
    expect(again.rewrapped).toBe(1000);
    expect(again.join?.mine).toEqual({ ranges: 0, rewrapped: 0 });
  });

  it('takes over the range of a process that died holding it', async () => {
    const store = memoryStore();
    await seeded(store, 200);
    const first = new AbortController();
    // A process that publishes ranges and is aborted (dies) after its first progress report.
    await joined(store).rotate({
      signal: first.signal,
      onProgress: () => first.abort(),
      join: { runId: 'crash', rangeSize: 50, leaseMs: 300 },
    });
    // A "dead" holder: takes range 0 and never finishes it; its lease runs out.
    const { leaseFor } = await import('../src/store/index.js');
    const board = new RangeBoard({
      store,
      lease: leaseFor(store) as never,
      namespace: 'c',
      runId: 'crash',
      leaseMs: 300,
    });
    const run = await board.readRun();
    const dead = await board.take(run?.state.published ?? 0);
    expect(dead).toBeDefined();
    const started = Date.now();
    const report = await joined(store).rotate({ join: { runId: 'crash', rangeSize: 50, leaseMs: 300 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // waited for the dead lease to expire
    expect(report.rewrapped).toBe(200);
    const only = createVault({ store, keyring: createKeyring([newKey]), schema: connectionSchema, namespace: 'c' });
    expect((await only.status()).notOnPrimary).toBe(0);
  });

  it('refuses a dry run, bad join options, and a run of another kid', async () => {
    const store = memoryStore();
    await seeded(store, 3);
    const vault = joined(store);
    await expect(vault.rotate({ dryRun: true, join: {} })).rejects.toMatchObject({ path: 'dryRun' });
    await expect(vault.rotate({ join: { runId: 'a:b' } })).rejects.toMatchObject({ path: 'join.runId' });
    await expect(vault.rotate({ join: { rangeSize: 0 } })).rejects.toMatchObject({ path: 'join.rangeSize' });
    await expect(vault.rotate({ join: { leaseMs: 5 } })).rejects.toMatchObject({ path: 'join.leaseMs' });
    await vault.rotate({ join: { runId: 'x' } });
    const other = createVault({
      store,
      keyring: createKeyring([oldKey, newKey]),
      schema: connectionSchema,
      namespace: 'c',
    });
    await expect(other.rotate({ join: { runId: 'x' } })).rejects.toMatchObject({ path: 'join.runId' });
  });
});
