import type { LoadedModule } from './module.js';
import { P } from './module.js';

/**
 * A small pool of read-only sessions on one slot. pkcs11js runs C_Encrypt/C_Decrypt on libuv's
 * threads, and a session holds one operation at a time, so each operation borrows a session
 * of its own; at most `max` are open, further callers wait their turn.
 */
export class SessionPool {
  readonly #module: LoadedModule;
  readonly #slot: Buffer;
  readonly #max: number;
  readonly #idle: Buffer[] = [];
  readonly #waiting: ((session: Buffer) => void)[] = [];
  #open = 0;
  #closed = false;

  constructor(module: LoadedModule, slot: Buffer, max: number) {
    this.#module = module;
    this.#slot = slot;
    this.#max = max;
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
    if (this.#closed) throw new Error('the PKCS#11 key is closed');
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    if (this.#open < this.#max) {
      const session = this.#module.api.C_OpenSession(this.#slot, P.CKF_SERIAL_SESSION);
      this.#open += 1;
      return session;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(session: Buffer, healthy: boolean): void {
    if (!healthy || this.#closed) {
      this.#open -= 1;
      try {
        this.#module.api.C_CloseSession(session);
      } catch {}
      // a waiter gets a fresh session instead
      const next = this.#waiting.shift();
      if (next !== undefined && !this.#closed) {
        this.#acquire().then(next, () => {});
      }
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) next(session);
    else this.#idle.push(session);
  }

  /** Closes the idle sessions; busy ones close when they are released. */
  close(): void {
    this.#closed = true;
    for (const session of this.#idle.splice(0)) {
      this.#open -= 1;
      try {
        this.#module.api.C_CloseSession(session);
      } catch {}
    }
  }
}
