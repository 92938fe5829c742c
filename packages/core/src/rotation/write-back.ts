import { storeCall } from '../errors/index.js';
import { envelopeHead } from '../format/index.js';
import type { KeyEncryptionKeys } from '../keys/index.js';
import type { VaultStore } from '../store/index.js';

/** A record to rewrap: where it is, what it holds, and the keys it moves under. */
export type Candidate = { key: string; id: string; stored: string; keys: KeyEncryptionKeys };
/** A candidate's new envelope, and its new head when that is all that changed (the rest is as stored). */
export type Write = readonly [candidate: Candidate, next: string, head: string | undefined];

/**
 * `items`: the rest array the call made, not a literal (and not copied again, as `Array.of` did:
 * 70 ms of the main thread's 100,000-record rotation). What a rotation keeps from a record's
 * read until its write lands (its write, its heads, the batch in flight, the page it came in) is
 * never built by an array or object literal: V8 may pretenure a literal's allocation site (allocate
 * its objects in the old space) once most of them outlive the young generation, which happens
 * early, while that generation is still small. Each one then keeps the envelope text it holds
 * alive through every scavenge until a full collection. Rotating 100,000 PostgreSQL records with
 * the worker pool, 3 processes in 10 promoted 45–190 MB more and peaked 30–55 MB higher; with
 * these sites built by `Array.of` or a class, 10 in 10 did not (as with pretenuring turned off), and
 * 10 in 10 again with the rest array.
 */
export function tuple<const T extends readonly unknown[]>(...items: T): T {
  return items;
}

/**
 * Writes a batch where nothing changed meanwhile, each record on its own: where every write is a
 * new head and the store can replace a value's start, only the heads travel (the head as read
 * must still start the record: every write through a vault makes a new data key, so a record
 * written since then has another head, and its sealed part and readable text are never
 * touched); else batch compare-and-set of whole values; one by one; plain set as a last resort.
 */
export async function writeBack(store: VaultStore, writes: readonly Write[]): Promise<boolean[]> {
  const { replacePrefixMany, compareAndSetMany, compareAndSet } = store;
  if (replacePrefixMany !== undefined && writes.every(([, , head]) => head !== undefined)) {
    // Each head with the dot after it: it then cannot be the start of a longer head.
    const heads = writes.map(([c, , head]) => tuple(c.key, `${envelopeHead(c.stored)}.`, `${head}.`));
    return storeCall('replacePrefixMany', () => replacePrefixMany.call(store, heads));
  }
  const entries = writes.map(([c, next]) => tuple(c.key, c.stored, next));
  if (compareAndSetMany !== undefined)
    return storeCall('compareAndSetMany', () => compareAndSetMany.call(store, entries));
  if (compareAndSet !== undefined) {
    return Promise.all(
      entries.map(([k, e, n]) => storeCall('compareAndSet', () => compareAndSet.call(store, k, e, n))),
    );
  }
  // The generic Keyv path: no compare-and-set, so a write made since the scan can be overwritten.
  await Promise.all(entries.map(([k, , n]) => storeCall('set', () => store.set(k, n))));
  return entries.map(() => true);
}
