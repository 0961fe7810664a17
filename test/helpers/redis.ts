import { randomBytes } from 'node:crypto';

/** The Redis URL the suite uses (set by global-setup). */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A key prefix unique to this test run, so parallel tests never collide. */
export function uniqueRedisPrefix(label = 't'): string {
  return `gatehouse-test:${label}:${randomBytes(6).toString('hex')}:`;
}
