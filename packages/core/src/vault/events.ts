/** Fields every vault event has. Events never carry a record or any secret value. */
export interface VaultEventBase {
  /** The vault's namespace. */
  readonly namespace: string;
  /** The record id. */
  readonly id: string;
  /** The key id involved: the envelope's kid (get, rotate: the new one), the primary (set, refresh). */
  readonly kid: string | undefined;
  /** When it happened. */
  readonly time: Date;
}

/** Everything a vault reports, for audit logs and metrics. */
export type VaultEvent =
  | (VaultEventBase & { readonly type: 'set' })
  | (VaultEventBase & { readonly type: 'get' })
  | (VaultEventBase & { readonly type: 'delete' })
  | (VaultEventBase & { readonly type: 'refresh' })
  | (VaultEventBase & { readonly type: 'refreshFailed'; readonly code: string })
  | (VaultEventBase & { readonly type: 'rotate'; readonly fromKid: string })
  | (VaultEventBase & { readonly type: 'decryptFailed'; readonly code: string })
  /** A value stored before credvault was read through a legacy reader (`reader`: its name); `migrate` rewrites it. */
  | (VaultEventBase & { readonly type: 'legacy'; readonly reader: string })
  /** `migrate` rewrote a legacy value as an envelope. */
  | (VaultEventBase & { readonly type: 'migrate'; readonly reader: string });

/** The event type names. */
export type VaultEventType = VaultEvent['type'];

/** A listener of one event type, or of all (`'*'`). It may be async: a rejection is handled like a throw. */
export type VaultListener<E extends VaultEventType | '*'> = (
  event: E extends VaultEventType ? Extract<VaultEvent, { type: E }> : VaultEvent,
) => void;

type AnyListener = (event: VaultEvent) => unknown;

/**
 * The default {@link ListenerErrorHandler}: one warning per listener (a listener that fails
 * again is not reported again), through `process.emitWarning` where there is one (Node, Bun,
 * Deno), else `console.warn`. It never throws.
 */
function warnOncePerListener(): (error: unknown, event: VaultEvent, listener: AnyListener) => void {
  const reported = new WeakSet<AnyListener>();
  return (error, event, listener) => {
    if (reported.has(listener)) return;
    reported.add(listener);
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const message = `a credvault listener of "${event.type}" failed (the operation did not): ${detail}`;
    const proc = (globalThis as { process?: { emitWarning?: (warning: string, options: object) => void } }).process;
    if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, { type: 'CredvaultListenerWarning' });
    else console.warn(message);
  };
}

/**
 * A tiny typed emitter. A listener that throws, or an async one that rejects, never fails the
 * vault operation nor reaches the event loop as an uncaught error: its error goes to
 * `onListenerError` (default {@link warnOncePerListener}); an error of that handler is dropped.
 */
export class VaultEvents {
  readonly #listeners = new Map<string, Set<AnyListener>>();
  readonly #onError: (error: unknown, event: VaultEvent, listener: AnyListener) => void;

  constructor(onListenerError?: (error: unknown, event: VaultEvent) => void) {
    this.#onError = onListenerError ?? warnOncePerListener();
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends VaultEventType | '*'>(type: E, listener: VaultListener<E>): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(listener as AnyListener);
    this.#listeners.set(type, set);
    return () => set.delete(listener as AnyListener);
  }

  /** Whether anyone listens, so callers can skip building events nobody reads. */
  get active(): boolean {
    for (const set of this.#listeners.values()) if (set.size > 0) return true;
    return false;
  }

  /** Calls the listeners of `event.type` and of `'*'`; never throws. */
  emit(event: VaultEvent): void {
    for (const type of [event.type, '*']) {
      for (const listener of this.#listeners.get(type) ?? []) {
        try {
          const result = listener(event);
          if (isThenable(result)) result.then(undefined, (error: unknown) => this.#failed(error, event, listener));
        } catch (error) {
          this.#failed(error, event, listener);
        }
      }
    }
  }

  #failed(error: unknown, event: VaultEvent, listener: AnyListener): void {
    try {
      this.#onError(error, event, listener);
    } catch {
      // The handler failed too: dropped, so that nothing a listener does can end the process.
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
