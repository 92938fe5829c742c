import { VaultError } from '@credvault/core';

/** A connection a `WAIT` can be sent on: the one the writes went through. */
export interface WaitNode {
  sendCommand(args: string[]): Promise<unknown>;
}

/** The durability options of {@link redisStore}. */
export interface DurabilityOptions {
  /**
   * After every write (set, delete, a compare-and-set that wrote, batches, lease taken), wait
   * until this many replicas have it (`WAIT`) before reporting success; when fewer confirm
   * within `waitTimeout`, the call rejects with `STORE_FAILED` although the master may have
   * applied the write. Default 0: replication stays asynchronous.
   */
  readonly waitForReplicas?: number;
  /** How long `WAIT` may take, in ms. Default half the operation `timeout`. */
  readonly waitTimeout?: number;
  readonly timeout?: number;
}

/**
 * `WAIT numreplicas timeout` on each given connection (for a cluster: the master of each slot
 * written to); nothing (not even a promise) when `waitForReplicas` is 0.
 * @throws VaultError `STORE_FAILED` when a master got fewer replica acknowledgements than asked.
 */
export function replicaWaiter(
  options: DurabilityOptions,
  where: string,
): (nodes: () => Promise<readonly WaitNode[]>) => Promise<void> | undefined {
  const replicas = options.waitForReplicas ?? 0;
  const waitTimeout = options.waitTimeout ?? Math.floor((options.timeout ?? 5000) / 2);
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new VaultError('INVALID_ARGUMENT', 'waitForReplicas must be a whole number >= 0', {
      path: 'waitForReplicas',
    });
  }
  if (replicas === 0) return () => undefined; // no promise to wait for on every write
  return async (nodes) => {
    const acks = await Promise.all(
      (await nodes()).map(async (node) =>
        Number(await node.sendCommand(['WAIT', String(replicas), String(waitTimeout)])),
      ),
    );
    const least = Math.min(...acks);
    if (least < replicas) {
      throw new VaultError(
        'STORE_FAILED',
        `redis write on ${where} reached only ${least} of ${replicas} replicas within ${waitTimeout} ms: ` +
          'the master has it, but it may be lost if that master fails now',
      );
    }
  };
}
