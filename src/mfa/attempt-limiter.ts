import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { GatewayError } from '../core/index.js';

/** Limits on failed MFA attempts. Times in seconds. */
export interface AttemptLimits {
  /** Failed attempts per user within `intervalSeconds` before the user is locked. Default 5. */
  readonly maxPerUser: number;
  /** Failed attempts per client IP within `intervalSeconds` before the IP is locked. Default 20. */
  readonly maxPerIp: number;
  /** Window in which failures count, seconds. Default 900 (15 minutes). */
  readonly intervalSeconds: number;
  /** How long a lock lasts once a limit is reached, seconds. Default 900 (15 minutes). */
  readonly blockSeconds: number;
}

/** Defaults: 5 failures per user and 20 per IP in 15 minutes, then 15 minutes locked. */
export const DEFAULT_ATTEMPT_LIMITS: AttemptLimits = Object.freeze({
  maxPerUser: 5,
  maxPerIp: 20,
  intervalSeconds: 900,
  blockSeconds: 900,
});

/** Whether attempts are allowed; when locked, seconds until they are again. */
export type AttemptState = { readonly locked: false } | { readonly locked: true; readonly retryAfterSeconds: number };

/**
 * Counts failed MFA attempts per user and per client IP. Every method rejects with
 * `GatewayError` `ERR_MFA_STORE_UNAVAILABLE` when the backend fails (callers fail closed).
 */
export interface AttemptLimiter {
  /** Whether the user or the IP is currently locked. Consumes nothing. */
  check(userKey: string, clientIp: string): Promise<AttemptState>;
  /** Counts one failure for both the user and the IP; returns the state after it (locked once a limit is reached). */
  recordFailure(userKey: string, clientIp: string): Promise<AttemptState>;
  /** A successful verification: clears the user's failures (the IP's stay). */
  recordSuccess(userKey: string): Promise<void>;
  /** Clears the user's failures and lock (operator reset). */
  reset(userKey: string): Promise<void>;
}

/** Backend of the limiter: process memory, or Redis shared by all instances. */
export type AttemptLimiterBackend =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis';
      /** An ioredis client; the limiter never connects or closes it. */
      readonly redis: Redis;
      /** Prefix of every key, e.g. `gatehouse:`; keys are `<prefix>mfa-user:<userKey>` and `<prefix>mfa-ip:<ip>`. */
      readonly keyPrefix: string;
    };

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/**
 * Creates an attempt limiter over rate-limiter-flexible (`RateLimiterMemory` or
 * `RateLimiterRedis`). Expiry follows the backend's clock (wall time), not the injected Clock.
 * @param limits partial overrides of {@link DEFAULT_ATTEMPT_LIMITS}.
 * @throws GatewayError `ERR_CONFIG_INVALID` for non-positive limits.
 */
export function createAttemptLimiter(backend: AttemptLimiterBackend, limits: Partial<AttemptLimits> = {}): AttemptLimiter {
  const l: AttemptLimits = { ...DEFAULT_ATTEMPT_LIMITS, ...limits };
  for (const [k, v] of Object.entries(l)) {
    if (!Number.isInteger(v) || v < 1) throw new GatewayError('ERR_CONFIG_INVALID', `mfa.attempts: ${k} must be a positive integer`);
  }
  const make = (name: string, points: number): RateLimiterAbstract =>
    backend.kind === 'memory'
      ? new RateLimiterMemory({ keyPrefix: `mfa-${name}`, points, duration: l.intervalSeconds })
      : new RateLimiterRedis({
          storeClient: backend.redis,
          keyPrefix: `${backend.keyPrefix}mfa-${name}`,
          points,
          duration: l.intervalSeconds,
          rejectIfRedisNotReady: true,
        });
  const byUser = { rl: make('user', l.maxPerUser), points: l.maxPerUser };
  const byIp = { rl: make('ip', l.maxPerIp), points: l.maxPerIp };

  const unavailable = (cause: unknown): GatewayError =>
    new GatewayError('ERR_MFA_STORE_UNAVAILABLE', 'MFA attempt limiter backend failed', { cause });

  async function state(limiter: typeof byUser, key: string): Promise<number> {
    let res: RateLimiterRes | null;
    try {
      res = await limiter.rl.get(key);
    } catch (cause) {
      throw unavailable(cause);
    }
    return res !== null && res.consumedPoints >= limiter.points ? seconds(res.msBeforeNext) : 0;
  }

  /** Consumes one point; returns seconds locked (0 when still allowed). */
  async function fail(limiter: typeof byUser, key: string): Promise<number> {
    try {
      const res = await limiter.rl.consume(key, 1);
      if (res.remainingPoints > 0) return 0;
      await limiter.rl.block(key, l.blockSeconds);
      return l.blockSeconds;
    } catch (e) {
      if (e instanceof RateLimiterRes) return seconds(e.msBeforeNext);
      throw unavailable(e);
    }
  }

  const combine = (a: number, b: number): AttemptState =>
    a > 0 || b > 0 ? { locked: true, retryAfterSeconds: Math.max(a, b) } : { locked: false };

  const clear = async (userKey: string): Promise<void> => {
    try {
      await byUser.rl.delete(userKey);
    } catch (cause) {
      throw unavailable(cause);
    }
  };

  return {
    async check(userKey, clientIp) {
      const [u, i] = await Promise.all([state(byUser, userKey), state(byIp, clientIp)]);
      return combine(u, i);
    },
    async recordFailure(userKey, clientIp) {
      const [u, i] = await Promise.all([fail(byUser, userKey), fail(byIp, clientIp)]);
      return combine(u, i);
    },
    recordSuccess: clear,
    reset: clear,
  };
}
