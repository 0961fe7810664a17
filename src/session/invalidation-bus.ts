/**
 * What changed: sessions by handle, and every session of some users (`userKey`, core).
 * Handles and user keys are not secrets, so messages may cross the network.
 */
export interface InvalidationMessage {
  readonly handles: readonly string[];
  readonly users: readonly string[];
}

/**
 * An event seen by subscribers: `invalidate` carries a message (from any instance,
 * this one included); `reset` means messages may have been missed (the subscription
 * dropped or came back), so every cached session must be forgotten.
 */
export type InvalidationEvent =
  ({ readonly type: 'invalidate' } & InvalidationMessage) | { readonly type: 'reset' };

/** Listener of {@link SessionInvalidationBus.subscribe}. */
export type InvalidationListener = (event: InvalidationEvent) => void;

/**
 * Broadcasts session invalidations to every gateway instance, so a logout or revocation on
 * one instance evicts the session from every instance's cache.
 */
export interface SessionInvalidationBus {
  /**
   * Connects and subscribes. Resolves once messages are being received.
   * @throws GatewayError `ERR_SESSION_STORE_UNAVAILABLE` when the first connection fails
   *   (the bus keeps retrying in the background).
   */
  start(): Promise<void>;
  /** True while the subscription is up: only then may a cache serve entries. */
  isLive(): boolean;
  /**
   * Sends a message to every instance.
   * @throws GatewayError `ERR_SESSION_STORE_UNAVAILABLE` when it cannot be sent.
   */
  publish(message: InvalidationMessage): Promise<void>;
  /** Registers a listener; returns a function that removes it. */
  subscribe(listener: InvalidationListener): () => void;
  /** Closes the bus's connections. */
  close(): Promise<void>;
}

/**
 * A bus for a single process (memory store, tests): always live, publishing delivers to
 * local subscribers synchronously.
 */
export function createLocalInvalidationBus(): SessionInvalidationBus {
  const listeners = new Set<InvalidationListener>();
  return {
    start: () => Promise.resolve(),
    isLive: () => true,
    publish(message) {
      for (const listener of [...listeners]) listener({ type: 'invalidate', ...message });
      return Promise.resolve();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      return Promise.resolve();
    },
  };
}
