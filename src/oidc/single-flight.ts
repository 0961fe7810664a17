/**
 * Coalesces concurrent calls with the same key into one in-flight promise: while a call for
 * `key` is running, later calls get the same promise; once it settles the key is free again.
 * Used so that concurrent refreshes of one refresh token send a single token request
 * (a rotated refresh token can be used once only).
 */
export class SingleFlight<K, V> {
  readonly #inflight = new Map<K, Promise<V>>();

  /** Runs `task` for `key` unless one is already running, whose promise is then returned. */
  run(key: K, task: () => Promise<V>): Promise<V> {
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const promise = Promise.resolve()
      .then(task)
      .finally(() => {
        this.#inflight.delete(key);
      });
    this.#inflight.set(key, promise);
    return promise;
  }

  /** Number of keys with a call in flight. */
  get size(): number {
    return this.#inflight.size;
  }
}
