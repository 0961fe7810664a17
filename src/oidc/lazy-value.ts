import type { Clock } from '../core/index.js';

/**
 * A value loaded on first use (e.g. OIDC discovery). Concurrent callers share one load; a
 * success is kept for good; after a failure, calls within `retryAfterMs` (milliseconds, measured
 * with the injected clock) get the same error without loading again, later calls retry.
 */
export class LazyValue<T> {
  readonly #load: () => Promise<T>;
  readonly #clock: Clock;
  readonly #retryAfterMs: number;
  #value: { readonly v: T } | undefined;
  #inflight: Promise<T> | undefined;
  #failure: { readonly error: Error; readonly at: number } | undefined;

  constructor(load: () => Promise<T>, clock: Clock, retryAfterMs: number) {
    this.#load = load;
    this.#clock = clock;
    this.#retryAfterMs = retryAfterMs;
  }

  /** Resolves the value, loading it if needed; rejects with the load's error. */
  get(): Promise<T> {
    if (this.#value !== undefined) return Promise.resolve(this.#value.v);
    if (this.#inflight !== undefined) return this.#inflight;
    if (this.#failure !== undefined && this.#clock.now() - this.#failure.at < this.#retryAfterMs) {
      return Promise.reject(this.#failure.error);
    }
    const load = Promise.resolve()
      .then(this.#load)
      .then(
        (v) => {
          this.#value = { v };
          this.#failure = undefined;
          return v;
        },
        (reason: unknown) => {
          const error = reason instanceof Error ? reason : new Error(String(reason));
          this.#failure = { error, at: this.#clock.now() };
          throw error;
        },
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    this.#inflight = load;
    return load;
  }

  /** True once the value has been loaded. */
  get loaded(): boolean {
    return this.#value !== undefined;
  }
}
