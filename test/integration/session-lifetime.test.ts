/**
 * Session expiry and token refresh through the whole gateway, with a clock the test moves
 * (no sleeps). The IdP is real; its tokens are checked in real time, so the test only moves
 * the gateway's clock forward within the IdP's token lifetimes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ManualClock } from '../../src/core/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { countTokenRequests } from '../helpers/dev-idp.js';

const clock = new ManualClock(Date.now());
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ clock, session: { idle: '10m', absolute: '1h' }, accessTokenTtl: 120 });
});
afterAll(async () => {
  await h.close();
});

async function cookieOfNewSession(): Promise<string> {
  const r = await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland');
  expect(r.response.status).toBe(200);
  return r.jar.header(new URL(h.url))!;
}

async function status(cookie: string, path = '/app/'): Promise<number> {
  const res = await request(`${h.url}${path}`, { headers: { cookie, accept: 'application/json' } });
  await res.body.dump();
  return res.statusCode;
}

describe('session lifetime', () => {
  it('expires an idle session after the idle timeout', async () => {
    const cookie = await cookieOfNewSession();
    clock.advance(9 * 60_000);
    expect(await status(cookie)).toBe(200);
    clock.advance(9 * 60_000); // active 9 minutes ago: still within the idle timeout
    expect(await status(cookie)).toBe(200);
    clock.advance(11 * 60_000);
    expect(await status(cookie)).toBe(401);
  });

  it('expires a session at its absolute lifetime even when it is used', async () => {
    const cookie = await cookieOfNewSession();
    for (let i = 0; i < 6; i++) {
      clock.advance(9 * 60_000);
      expect(await status(cookie)).toBe(200);
    }
    clock.advance(7 * 60_000); // 61 minutes after login
    expect(await status(cookie)).toBe(401);
  });

  it('refreshes tokens once when they are about to expire, also for concurrent requests', async () => {
    const cookie = await cookieOfNewSession();
    const counter = countTokenRequests(h.idp);
    try {
      clock.advance(100_000); // access token (120 s) now expires within the refresh leeway
      const statuses = await Promise.all([status(cookie), status(cookie), status(cookie)]);
      expect(statuses).toEqual([200, 200, 200]);
      expect(counter.success).toBe(1);
      expect(await status(cookie)).toBe(200);
      expect(counter.success).toBe(1); // refreshed tokens are fresh again
    } finally {
      counter.stop();
    }
  });
});
