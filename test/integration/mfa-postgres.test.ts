/**
 * MFA through the whole gateway with the PostgreSQL factor store (127.0.0.1:5432, database
 * `test`, a schema of its own dropped afterwards) and Redis sessions, so the attempt limiter is
 * Redis-backed: enrollment, replay refused, factors and lockout surviving a gateway restart.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import {
  codeAt,
  mfaConfigYaml,
  mfaRoutes,
  recoveryCodesOf,
  secretOf,
  submitMfaForm,
} from '../helpers/mfa-flow.js';
import { redisUrl, uniqueRedisPrefix } from '../helpers/redis.js';

const PG_URL =
  process.env.PG_TEST_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:5432/test`;
const schema = `gh_mfa_it_${randomBytes(4).toString('hex')}`;
const redisPrefix = uniqueRedisPrefix('mfa-pg');
const clock = new ManualClock(Date.now());
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    clock,
    store: 'redis',
    redisPrefix,
    routes: mfaRoutes(),
    extraConfig: mfaConfigYaml({
      store: `{ postgres: { url: "${PG_URL}", schema: ${schema} } }`,
      maxPerUser: 2,
    }),
    accessTokenTtl: 3600,
  });
});

afterAll(async () => {
  await h.close();
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await c.end();
  const redis = new Redis(redisUrl());
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('MFA with PostgreSQL and Redis', () => {
  it('enrolls, refuses a replay, and keeps factors and lockouts across a restart', async () => {
    const first = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    expect(first.response.url.pathname).toBe('/.gatehouse/mfa/enroll');
    const secret = secretOf(first.response);
    const code = await codeAt(secret, clock);
    const enrolled = await submitMfaForm(first.session, first.response, { code });
    expect(enrolled.status).toBe(200);
    expect(recoveryCodesOf(enrolled)).toHaveLength(10);
    expect((await first.session.send(`${h.url}/admin/`)).status).toBe(200);

    // The factor is in PostgreSQL, the secret encrypted.
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const rows = await c.query<{ status: string; key_id: string; secret: string }>(
      `SELECT status, key_id, secret FROM ${pg.escapeIdentifier(schema)}.mfa_factors`,
    );
    await c.end();
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ status: 'active', key_id: 'k1' });
    expect(rows.rows[0]!.secret).not.toContain(secret);

    await h.restart();
    const second = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    expect(second.response.url.pathname).toBe('/.gatehouse/mfa/verify');
    const replay = await submitMfaForm(second.session, second.response, { code });
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('already used');
    // Second failure reaches max_per_user: 2 → locked, in Redis.
    const locked = await submitMfaForm(second.session, second.response, { code: '000000' });
    expect(locked.status).toBe(429);

    await h.restart();
    const third = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    clock.advance(30_000);
    const stillLocked = await submitMfaForm(third.session, third.response, {
      code: await codeAt(secret, clock),
    });
    expect(stillLocked.status).toBe(429);
    expect(stillLocked.body).toMatch(/Try again in 1[45] minutes/);
  });
});
