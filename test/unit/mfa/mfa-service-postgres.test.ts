import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/index.js';
import {
  createAttemptLimiter,
  createKeyring,
  createMfaService,
  createPostgresFactorStore,
  createSecretBox,
  generateTotp,
  type FactorStore,
  type MfaService,
} from '../../../src/mfa/index.js';
import { redisUrl, uniqueRedisPrefix } from '../../helpers/redis.js';

// Two gateway instances: each its own PostgreSQL pool and limiter, sharing the database and Redis.
const PG_URL = process.env.PG_TEST_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:5432/test`;
const schema = `gh_mfa_svc_${randomBytes(4).toString('hex')}`;
const keyPrefix = uniqueRedisPrefix('mfa-svc');
const key = randomBytes(32).toString('hex');
const clock = new ManualClock(Date.UTC(2026, 0, 1, 9, 0, 10));
const PARAMS = { algorithm: 'sha1', digits: 6, period: 30 } as const;

let redis: Redis;
const stores: FactorStore[] = [];

async function instance(): Promise<MfaService> {
  const store = await createPostgresFactorStore({ connectionString: PG_URL, schema });
  stores.push(store);
  return createMfaService({
    store,
    secretBox: createSecretBox(createKeyring('k1', { k1: key })),
    clock,
    limiter: createAttemptLimiter({ kind: 'redis', redis, keyPrefix }, { maxPerUser: 3 }),
    issuer: 'Gatehouse',
  });
}

beforeAll(async () => {
  redis = new Redis(redisUrl());
  await redis.ping();
});

afterAll(async () => {
  for (const s of stores) await s.close();
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await c.end();
});

describe('MFA service on PostgreSQL + Redis, two instances', () => {
  it('shares factors, refuses a replay across instances, and shares the lockout', async () => {
    const a = await instance();
    const b = await instance();
    const start = await a.beginEnrollment('alice', 'alice@example.com');
    const first = await generateTotp(start.secret, PARAMS, clock.now());
    expect((await b.confirmEnrollment('alice', start.factorId, first, '192.0.2.1')).ok).toBe(true);

    clock.advance(30_000);
    const code = await generateTotp(start.secret, PARAMS, clock.now());
    expect(await a.verify('alice', code, '192.0.2.1')).toMatchObject({ ok: true, method: 'otp' });
    expect(await b.verify('alice', code, '192.0.2.2')).toEqual({ ok: false, reason: 'replayed' });

    const wrong = code === '111111' ? '222222' : '111111';
    expect(await a.verify('alice', wrong, '192.0.2.1')).toEqual({ ok: false, reason: 'invalid' });
    // The replay above counted as failure 1, this is 2 on instance A, 3 on instance B.
    expect(await b.verify('alice', wrong, '192.0.2.2')).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 900 });
    clock.advance(30_000);
    const next = await generateTotp(start.secret, PARAMS, clock.now());
    expect(await a.verify('alice', next, '192.0.2.3')).toMatchObject({ ok: false, reason: 'locked' });
  });
});
