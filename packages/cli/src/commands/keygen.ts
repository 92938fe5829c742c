import { formatKeyEntry, generateKey } from '@credvault/core';
import type { Io } from '../context.js';

/** `credvault keygen [--kid]`: prints a new `kid:key` entry. */
export function keygen(io: Io, options: { kid?: string }): number {
  const kid = options.kid ?? `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  io.stdout.write(`${formatKeyEntry(kid, generateKey())}\n`);
  return 0;
}
