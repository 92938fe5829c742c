import { randomBytes } from 'node:crypto';
import type { Lease } from '@credvault/core';
import { EXTEND_LEASE, RELEASE_LEASE, type Script } from './scripts.js';

/** What {@link takeLease} needs from a store: its deadline runner and one-key commands on a connection. */
export interface LeaseAccess<C> {
  run<T>(operation: string, work: (connection: C) => Promise<T>): Promise<T>;
  /** `SET name token NX PX ttlMs`; whether it was set. */
  setIfAbsent(connection: C, name: string, token: string, ttlMs: number): Promise<boolean>;
  evalScript(connection: C, s: Script, key: string, args: string[]): Promise<unknown>;
  /** Waits for the replicas (`waitForReplicas`) of the master that took `name`. */
  replicated(connection: C, name: string): Promise<void> | undefined;
}

/**
 * A lease: `SET <name> <token> NX PX <ttlMs>` with a fresh random token (16 bytes, base64url);
 * released (`DEL`) and extended (`PEXPIRE`) by scripts only while the key still holds that token.
 * Undefined when someone else holds it.
 */
export function takeLease<C>(access: LeaseAccess<C>, name: string, ttlMs: number): Promise<Lease | undefined> {
  return access.run('lease', async (connection) => {
    const token = randomBytes(16).toString('base64url');
    if (!(await access.setIfAbsent(connection, name, token, ttlMs))) return undefined;
    await access.replicated(connection, name);
    return {
      name,
      token,
      release: () =>
        access.run('lease release', async (c) => (await access.evalScript(c, RELEASE_LEASE, name, [token])) === 1),
      extend: (ms: number) =>
        access.run(
          'lease extend',
          async (c) => (await access.evalScript(c, EXTEND_LEASE, name, [token, String(ms)])) === 1,
        ),
    };
  });
}
