import { withDeadline } from '@credvault/core';
import { type OpenedPool, poolExhausted, timed, withClient } from './connection.js';
import { postgresError } from './errors.js';

/** Runs one statement and resolves to its rows. */
export type Query = (text: string, values?: unknown[]) => Promise<unknown[]>;

/** How a store runs its operations on its pool. Internal. */
export interface Runner {
  /** Runs one operation's queries within the store's timeout, and reports its failure as a `STORE_FAILED`. */
  run<T>(operation: string, work: (query: Query) => Promise<T>): Promise<T>;
  /** Runs one query with the whole timeout (for an adapter that makes its own calls). */
  query: Query;
  /** Refuses every later query; ends the pool if the store created it. */
  close(): Promise<void>;
}

/**
 * The runner of a store over `opened`. `prepare` (create or check the tables) runs before the
 * first query, once: a failed one runs again on the next operation (the server may be back, the
 * table created). The deadline of an operation is passed along, not kept in an
 * AsyncLocalStorage: on Node 20 and 22 the first `run` of one makes every promise of the whole
 * process slower (an awaited async call 229 to 1,184 ns here).
 */
export function poolRunner(opened: OpenedPool, timeout: number, prepare: (ms: number) => Promise<void>): Runner {
  const { pool, owned, where } = opened;
  let closed = false;
  let ready: Promise<void> | undefined;
  let prepared = false;
  const ensureReady = (ms: number): Promise<void> => {
    ready ??= prepare(ms).then(
      () => {
        prepared = true; // later queries go straight to a connection
      },
      (error: unknown) => {
        ready = undefined; // try again on the next operation
        throw error;
      },
    );
    return ready;
  };
  // One query of an operation whose budget ends at `deadline` (epoch ms): waiting for the tables,
  // for a connection and for the statement share it, so an operation never outlives its timeout.
  const queryBefore = async (deadline: number, text: string, values?: unknown[]): Promise<unknown[]> => {
    if (closed) throw new Error('the store is closed');
    const left = () => Math.max(1, deadline - Date.now());
    if (!prepared) await ensureReady(left());
    const sent = values?.map((value) => (Array.isArray(value) ? [...value] : value));
    try {
      return await withClient(pool, left(), async (client) => (await client.query(timed(text, sent, left()))).rows);
    } finally {
      emptied(sent);
    }
  };
  return {
    run(operation, work) {
      const deadline = Date.now() + timeout;
      // The backstop is only for something below that ignored its budget: the connection wait and
      // the statement obey it.
      return withDeadline(
        timeout + 1000,
        () => work((text, values) => queryBefore(deadline, text, values)),
        (error) => postgresError(operation, where, error, { exhausted: poolExhausted(pool) }),
      );
    },
    query: (text, values) => queryBefore(Date.now() + timeout, text, values),
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await pool.end().catch(() => {});
    },
  };
}

/**
 * Empties the parameters a query was given (and the arrays among them) once it has settled: `pg`
 * has written them to the socket by then. Its finished query objects stay reachable from its own
 * long-lived objects until V8's next full collection, and with them whatever they hold: rotating
 * 100,000 PostgreSQL records, every batch's heads (two strings a record, and the flat copies `pg`
 * makes of them) outlived the young generation and were promoted, ~47 MB; emptied, ~19 MB was.
 */
function emptied(sent: unknown[] | undefined): void {
  if (sent === undefined) return;
  for (const value of sent) if (Array.isArray(value)) value.length = 0;
  sent.length = 0;
}
