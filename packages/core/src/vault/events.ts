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
  | (VaultEventBase & { readonly type: 'decryptFailed'; readonly code: string });

/** The event type names. */
export type VaultEventType = VaultEvent['type'];

/** A listener of one event type, or of all (`'*'`). */
export type VaultListener<E extends VaultEventType | '*'> = (
  event: E extends VaultEventType ? Extract<VaultEvent, { type: E }> : VaultEvent,
) => void;

/** A tiny typed emitter. A listener that throws does not fail the vault operation: its error is rethrown on a later tick. */
export class VaultEvents {
  readonly #listeners = new Map<string, Set<(event: VaultEvent) => void>>();

  /** Adds a listener; returns the function that removes it. */
  on<E extends VaultEventType | '*'>(type: E, listener: VaultListener<E>): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(listener as (event: VaultEvent) => void);
    this.#listeners.set(type, set);
    return () => set.delete(listener as (event: VaultEvent) => void);
  }

  /** Whether anyone listens, so callers can skip building events nobody reads. */
  get active(): boolean {
    for (const set of this.#listeners.values()) if (set.size > 0) return true;
    return false;
  }

  /** Calls the listeners of `event.type` and of `'*'`. */
  emit(event: VaultEvent): void {
    for (const type of [event.type, '*']) {
      for (const listener of this.#listeners.get(type) ?? []) {
        try {
          listener(event);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
  }
}
