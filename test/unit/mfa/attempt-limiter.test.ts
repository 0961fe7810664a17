import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isGatewayError } from '../../../src/core/index.js';
import { createAttemptLimiter, type AttemptLimiterBackend } from '../../../src/mfa/attempt-limiter.js';
import { redisUrl, uniqueRedisPrefix } from '../../helpers/redis.js';

let redis: Redis;
const prefix = uniqueRedisPrefix('mfa-limiter');

beforeAll(async () => {
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  await redis.ping(); // the limiter refuses (fails closed) until the client is ready
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const backends: [string, () => AttemptLimiterBackend][] = [
  ['memory', () => ({ kind: 'memory' })],
  ['redis', () => ({ kind: 'redis', redis, keyPrefix: `${prefix}${randomBytes(3).toString('hex')}:` })],
];

describe.each(backends)('attempt limiter (%s)', (_name, backend) => {
  it('locks a user after maxPerUser failures, with retryAfter ≈ blockSeconds', async () => {
    const l = createAttemptLimiter(backend(), { maxPerUser: 3, maxPerIp: 100, blockSeconds: 600 });
    expect(await l.recordFailure('alice', '10.0.0.1')).toEqual({ locked: false });
    expect(await l.recordFailure('alice', '10.0.0.2')).toEqual({ locked: false });
    expect(await l.check('alice', '10.0.0.3')).toEqual({ locked: false });
    expect(await l.recordFailure('alice', '10.0.0.3')).toEqual({ locked: true, retryAfterSeconds: 600 });
    const s = await l.check('alice', '10.0.0.9');
    expect(s.locked).toBe(true);
    if (s.locked) {
      expect(s.retryAfterSeconds).toBeGreaterThan(590);
      expect(s.retryAfterSeconds).toBeLessThanOrEqual(600);
    }
    expect(await l.check('bob', '10.0.0.1')).toEqual({ locked: false });
  });

  it('locks an IP after maxPerIp failures across users', async () => {
    const l = createAttemptLimiter(backend(), { maxPerUser: 100, maxPerIp: 4, blockSeconds: 300 });
    for (let i = 0; i < 3; i++) expect((await l.recordFailure(`user${i}`, '192.0.2.7')).locked).toBe(false);
    expect(await l.recordFailure('user3', '192.0.2.7')).toEqual({ locked: true, retryAfterSeconds: 300 });
    expect((await l.check('someone-else', '192.0.2.7')).locked).toBe(true);
    expect((await l.check('someone-else', '192.0.2.8')).locked).toBe(false);
  });

  it('a success clears the user counter but not the IP counter', async () => {
    const l = createAttemptLimiter(backend(), { maxPerUser: 3, maxPerIp: 4 });
    await l.recordFailure('alice', '198.51.100.1');
    await l.recordFailure('alice', '198.51.100.1');
    await l.recordSuccess('alice');
    expect((await l.recordFailure('alice', '198.51.100.1')).locked).toBe(false);
    expect((await l.recordFailure('alice', '198.51.100.1')).locked).toBe(true); // 4th failure from this IP
  });

  it('reset lifts a user lock', async () => {
    const l = createAttemptLimiter(backend(), { maxPerUser: 1, maxPerIp: 100 });
    expect((await l.recordFailure('alice', '::1')).locked).toBe(true);
    await l.reset('alice');
    expect(await l.check('alice', '::1')).toEqual({ locked: false });
  });
});

describe('attempt limiter (memory): lock expiry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // rate-limiter-flexible reads wall time and uses timers; fake timers move both without sleeping.
  it('allows attempts again once blockSeconds have passed', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const l = createAttemptLimiter({ kind: 'memory' }, { maxPerUser: 2, blockSeconds: 120 });
    await l.recordFailure('alice', '::1');
    expect((await l.recordFailure('alice', '::1')).locked).toBe(true);
    vi.advanceTimersByTime(119_000);
    expect((await l.check('alice', '::1')).locked).toBe(true);
    vi.advanceTimersByTime(2_000);
    expect(await l.check('alice', '::1')).toEqual({ locked: false });
  });
});

describe('attempt limiter: failures', () => {
  it('refuses non-positive limits', () => {
    expect(() => createAttemptLimiter({ kind: 'memory' }, { maxPerUser: 0 })).toThrow(/maxPerUser/);
  });

  it('fails closed with ERR_MFA_STORE_UNAVAILABLE when Redis is down', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    dead.on('error', () => undefined);
    const l = createAttemptLimiter({ kind: 'redis', redis: dead, keyPrefix: 'x:' });
    await expect(l.check('alice', '::1')).rejects.toSatisfy((e) => isGatewayError(e, 'ERR_MFA_STORE_UNAVAILABLE'));
    await expect(l.recordFailure('alice', '::1')).rejects.toSatisfy((e) => isGatewayError(e, 'ERR_MFA_STORE_UNAVAILABLE'));
    dead.disconnect();
  });
});
