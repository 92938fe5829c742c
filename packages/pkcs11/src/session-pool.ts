import { keyUnavailable } from '@credvault/core';
import type { LoadedModule } from './module.js';
import { P } from './module.js';

/** A caller waiting for a session: given one, or rejected (a failed reopen, the pool closed). */
interface Waiter {
  readonly resolve: (session: Buffer) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A small pool of read-only sessions on one slot. pkcs11js runs C_Encrypt/C_Decrypt on libuv's
 * threads, and a session holds one operation at a time, so each operation borrows a session
 * of its own; at most `max` are open, further callers wait their turn. A waiter is rejected
 * when the session opened for it fails to open, or with `KEY_UNAVAILABLE` when the pool closes.
 */
export class SessionPool {
  readonly #module: LoadedModule;
  readonly #slot: Buffer;
  readonly #max: number;
  readonly #name: string;
  readonly #idle: Buffer[] = [];
  readonly #waiting: Waiter[] = [];
  #open = 0;
  #closed = false;

  /** `name`: the key's, for messages. */
  constructor(module: LoadedModule, slot: Buffer, max: number, name: string) {
    this.#module = module;
    this.#slot = slot;
    this.#max = max;
    this.#name = name;
  }

  /** Runs `use` with a session of its own; a session that failed is closed rather than reused. */
  async with<T>(use: (session: Buffer) => Promise<T>): Promise<T> {
    const session = await this.#acquire();
    let healthy = true;
    try {
      return await use(session);
    } catch (error) {
      healthy = !/CKR_(SESSION|DEVICE|TOKEN|CRYPTOKI_NOT)/.test(String(error));
      throw error;
    } finally {
      this.#release(session, healthy);
    }
  }

  async #acquire(): Promise<Buffer> {
    if (this.#closed) throw this.#closedError();
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    if (this.#open < this.#max) {
      const session = this.#module.api.C_OpenSession(this.#slot, P.CKF_SERIAL_SESSION);
      this.#open += 1;
      return session;
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #closedError(): Error {
    return keyUnavailable(this.#name, 'the PKCS#11 key is closed');
  }

  #release(session: Buffer, healthy: boolean): void {
    if (!healthy || this.#closed) {
      this.#open -= 1;
      try {
        this.#module.api.C_CloseSession(session);
      } catch {}
      // a waiter gets a fresh session instead, or the error of opening one (close() took the rest)
      const next = this.#waiting.shift();
      if (next !== undefined) this.#acquire().then(next.resolve, next.reject);
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) next.resolve(session);
    else this.#idle.push(session);
  }

  /**
   * Closes the idle sessions and rejects the waiting callers with `KEY_UNAVAILABLE`; busy
   * sessions close when they are released.
   */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) {
      waiter.reject(this.#closedError());
    }
    for (const session of this.#idle.splice(0)) {
      this.#open -= 1;
      try {
        this.#module.api.C_CloseSession(session);
      } catch {}
    }
  }
}
