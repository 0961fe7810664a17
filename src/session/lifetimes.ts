import { GatewayError, type Clock } from '../core/index.js';
import type { SessionLifetimes, SessionRecord } from './types.js';

/**
 * Checks session lifetimes: both must be positive whole or fractional numbers of seconds.
 * @throws GatewayError `ERR_CONFIG_INVALID` when a lifetime is not a positive finite number.
 */
export function validateLifetimes(lifetimes: SessionLifetimes): SessionLifetimes {
  const entries: [string, unknown][] = [
    ['idleTimeout', lifetimes.idleTimeout],
    ['absoluteLifetime', lifetimes.absoluteLifetime],
  ];
  for (const [key, value] of entries) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new GatewayError(
        'ERR_CONFIG_INVALID',
        `session ${key} must be a positive number of seconds`,
        {
          details: { [key]: value },
        },
      );
    }
  }
  return Object.freeze({
    idleTimeout: lifetimes.idleTimeout,
    absoluteLifetime: lifetimes.absoluteLifetime,
  });
}

/**
 * When a session expires, in milliseconds since the epoch: the earlier of
 * `lastSeenAt + idleTimeout` and `createdAt + absoluteLifetime` (record times are seconds).
 */
export function expiresAtMs(
  record: Pick<SessionRecord, 'createdAt' | 'lastSeenAt'>,
  lifetimes: SessionLifetimes,
): number {
  return Math.min(
    (record.lastSeenAt + lifetimes.idleTimeout) * 1000,
    (record.createdAt + lifetimes.absoluteLifetime) * 1000,
  );
}

/**
 * Milliseconds the session has left at `clock` time: what a store TTL should be. Zero or
 * negative means expired (idle for at least `idleTimeout`, or at least `absoluteLifetime` old).
 */
export function remainingMs(
  record: Pick<SessionRecord, 'createdAt' | 'lastSeenAt'>,
  lifetimes: SessionLifetimes,
  clock: Clock,
): number {
  return expiresAtMs(record, lifetimes) - clock.now();
}

/** True when the session is still live at `clock` time (see {@link remainingMs}). */
export function isLive(
  record: Pick<SessionRecord, 'createdAt' | 'lastSeenAt'>,
  lifetimes: SessionLifetimes,
  clock: Clock,
): boolean {
  return remainingMs(record, lifetimes, clock) > 0;
}

/**
 * Checks the TTL of an ephemeral value.
 * @throws GatewayError `ERR_INTERNAL` when `ttlSeconds` is not a positive finite number.
 */
export function validateEphemeralTtl(ttlSeconds: number): void {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new GatewayError('ERR_INTERNAL', 'ephemeral TTL must be a positive number of seconds', {
      details: { ttlSeconds },
    });
  }
}
