import { keyUnavailable, VaultError } from '@credvault/core';
import { type LoadedModule, P } from './module.js';

/**
 * NIST SP 800-38D (section 8.3): with random 96-bit IVs, one AES-GCM key may be used for at most
 * 2^32 encryptions.
 */
export const GCM_INVOCATION_LIMIT: number = 2 ** 32;

/** Invocations reserved on the token at a time, by default. */
const DEFAULT_BLOCK = 2 ** 14;

/** The `CKA_APPLICATION` of the token objects that hold the counts. */
export const COUNTER_APPLICATION = 'credvault';

/**
 * How the AES-GCM encryptions of each token key are counted and bounded (see the README, "How
 * many wraps one HSM key can take").
 */
export interface GcmInvocationOptions {
  /**
   * Encryptions allowed per key; past it `encrypt` fails with `KEY_UNAVAILABLE` (decrypt keeps
   * working, so `rotate()` can move the records to a new key). Default and most 2^32, the NIST
   * SP 800-38D bound for random IVs; lower it to leave a margin (or in tests).
   */
  readonly max?: number;
  /** The count from which a warning is given, once per key and process. Default `max / 2`. */
  readonly warnAt?: number;
  /**
   * Where the count lives. `'token'` (default): a private `CKO_DATA` object on the token, next
   * to the key, from which each process reserves `block` invocations at a time, so the count
   * covers every process and restart. `'process'`: in this process's memory only, from 0 at every
   * start (for tokens that cannot store data objects; it does not see other processes).
   */
  readonly store?: 'token' | 'process';
  /** Invocations reserved on the token at a time (`store: 'token'`). Default 2^14. */
  readonly block?: number;
  /** Receives the warning. Default `process.emitWarning(message, { code: 'CREDVAULT_GCM_INVOCATIONS' })`. */
  readonly onWarning?: (message: string) => void;
}

/** {@link GcmInvocationOptions} checked, with their defaults. */
export interface InvocationLimit {
  readonly max: number;
  readonly warnAt: number;
  readonly store: 'token' | 'process';
  readonly block: number;
  readonly onWarning: (message: string) => void;
}

function whole(value: number | undefined, path: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new VaultError('INVALID_ARGUMENT', `${path} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Checks the options of `openPkcs11`'s `gcmInvocations`.
 * @throws VaultError `INVALID_ARGUMENT` naming the option (a `max` above 2^32 included).
 */
export function invocationLimit(options: GcmInvocationOptions = {}): InvocationLimit {
  const max = whole(options.max, 'gcmInvocations.max', 1, GCM_INVOCATION_LIMIT, GCM_INVOCATION_LIMIT);
  const warnAt = whole(options.warnAt, 'gcmInvocations.warnAt', 0, max, Math.ceil(max / 2));
  const block = whole(options.block, 'gcmInvocations.block', 1, GCM_INVOCATION_LIMIT, DEFAULT_BLOCK);
  const store = options.store ?? 'token';
  if (store !== 'token' && store !== 'process') {
    throw new VaultError('INVALID_ARGUMENT', `gcmInvocations.store must be 'token' or 'process'`);
  }
  const onWarning =
    options.onWarning ?? ((message: string) => process.emitWarning(message, { code: 'CREDVAULT_GCM_INVOCATIONS' }));
  return { max, warnAt, store, block, onWarning };
}

/** Reserves up to `count` invocations (never past `max`): the first number and the end (exclusive). */
export type Reserve = (count: number, max: number) => { start: number; end: number };

/** Counts kept in memory for `store: 'process'`, shared by every instance of a key in this process. */
const processCounts = new Map<string, number>();

/** A {@link Reserve} on this process's memory, under `id` (module, slot and key). */
export function processReserve(id: string): Reserve {
  return (count, max) => {
    const start = processCounts.get(id) ?? 0;
    const end = Math.min(start + count, Math.max(start, max));
    processCounts.set(id, end);
    return { start, end };
  };
}

/** Counter objects read at most at once (more exist only after crashes or races; the highest wins). */
const MAX_COUNTERS = 16;

/**
 * A {@link Reserve} on the token: `CKO_DATA` objects of application {@link COUNTER_APPLICATION}
 * labelled `label` hold, as a 64-bit big-endian `CKA_VALUE`, how many invocations have been
 * reserved so far. Tokens may not let a data object's value change (SoftHSM2 does not), so a
 * reservation creates a new object with the higher count and only then destroys the older ones:
 * a crash in between leaves several, and the highest wins, so the count never goes back. In a
 * read-write session of `session`. Read-then-write, not atomic across processes.
 */
export function tokenReserve(
  module: LoadedModule,
  session: <T>(use: (session: Buffer) => T) => T,
  label: string,
  name: string,
): Reserve {
  const { api } = module;
  const failed = (what: string, error: unknown) => {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
    return keyUnavailable(
      name,
      `cannot ${what} the invocation count on the token (${reason}); ` +
        `gcmInvocations.store: 'process' counts in memory instead (see the README)`,
      error,
    );
  };
  return (count, max) =>
    session((s) => {
      let found: { handle: Buffer; value: number }[];
      try {
        api.C_FindObjectsInit(s, [
          { type: P.CKA_CLASS, value: P.CKO_DATA },
          { type: P.CKA_APPLICATION, value: COUNTER_APPLICATION },
          { type: P.CKA_LABEL, value: label },
        ]);
        let handles: Buffer[];
        try {
          handles = api.C_FindObjects(s, MAX_COUNTERS);
        } finally {
          api.C_FindObjectsFinal(s);
        }
        found = handles.map((handle) => {
          const [value] = api.C_GetAttributeValue(s, handle, [{ type: P.CKA_VALUE }]);
          if (value?.value === undefined || value.value.length !== 8) throw new Error(`"${label}" is malformed`);
          return { handle, value: Number(value.value.readBigUInt64BE()) };
        });
      } catch (error) {
        throw failed('read', error);
      }
      const start = Math.max(0, ...found.map(({ value }) => value));
      const end = Math.min(start + count, Math.max(start, max));
      if (end === start) return { start, end };
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64BE(BigInt(end));
      try {
        api.C_CreateObject(s, [
          { type: P.CKA_CLASS, value: P.CKO_DATA },
          { type: P.CKA_TOKEN, value: true },
          { type: P.CKA_PRIVATE, value: true },
          { type: P.CKA_APPLICATION, value: COUNTER_APPLICATION },
          { type: P.CKA_LABEL, value: label },
          { type: P.CKA_VALUE, value: bytes },
        ]);
      } catch (error) {
        throw failed('keep', error);
      }
      for (const { handle } of found) {
        try {
          api.C_DestroyObject(s, handle);
        } catch {} // a leftover lower count is harmless: the highest wins
      }
      return { start, end };
    });
}

/**
 * The encryptions of one key instance: numbers are taken from blocks reserved through `reserve`
 * (on the token or in memory); taking one past `max` fails, and crossing `warnAt` warns once.
 */
export class InvocationCounter {
  readonly #name: string;
  readonly #limit: InvocationLimit;
  readonly #reserve: Reserve;
  #next = 0;
  #end = 0;
  #warned = false;

  /** `name`: the key's, for messages. */
  constructor(name: string, limit: InvocationLimit, reserve: Reserve) {
    this.#name = name;
    this.#limit = limit;
    this.#reserve = reserve;
  }

  /**
   * Takes one invocation, before the token is asked to encrypt (a failed encryption counts too).
   * @throws VaultError `KEY_UNAVAILABLE` once the key has reached `max`, or the count cannot be kept.
   */
  take(): void {
    const { max, warnAt, block, store, onWarning } = this.#limit;
    if (this.#next >= this.#end) {
      const { start, end } = this.#reserve(store === 'process' ? 1 : block, max);
      this.#next = start;
      this.#end = end;
    }
    if (this.#next >= this.#end || this.#next >= max) {
      throw keyUnavailable(
        this.#name,
        `the key has made ${max} AES-GCM encryptions with random IVs, the limit set for one key ` +
          '(gcmInvocations.max; NIST SP 800-38D allows at most 2^32); ' +
          'it still decrypts: make a new key the primary kid and rotate',
      );
    }
    this.#next += 1;
    if (!this.#warned && this.#next >= warnAt) {
      this.#warned = true;
      onWarning(
        `${this.#name}: AES-GCM encryption ${this.#next} of ${max} allowed under this key ` +
          '(random 96-bit IVs, NIST SP 800-38D): rotate to a new key (a new kid, then vault.rotate()) before it is refused',
      );
    }
  }
}
