/**
 * Fail closed: with the session store unreachable, protected routes are refused (503), public
 * routes are served without identity, and the gateway reports not ready. The Redis here is a
 * real closed port: nothing listens there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { freePort } from '../helpers/global-setup.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { parseEcho } from '../helpers/echo-upstream.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ store: 'redis', redisUrl: `redis://127.0.0.1:${await freePort()}` });
});
afterAll(async () => {
  await h.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${h.url}${path}`, { headers: { accept: 'application/json', ...headers } });
  return { status: res.statusCode, body: await res.body.text() };
}

describe('session store down', () => {
  it('refuses a protected route with 503 even with a session cookie, never serving it', async () => {
    const res = await get('/admin/', { cookie: 'gatehouse_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'ERR_SESSION_STORE_UNAVAILABLE' });
    expect(res.body).not.toMatch(/ECONNREFUSED|redis:\/\//);
  });

  it('cannot start a login either (the login state needs the store): 503, not a redirect loop', async () => {
    const res = await get('/app/', { accept: 'text/html' });
    expect(res.status).toBe(503);
  });

  it('serves a public route anonymously', async () => {
    const res = await get('/', { cookie: 'gatehouse_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x-forwarded-user': 'mallory' });
    expect(res.status).toBe(200);
    expect(parseEcho(res.body).headers['x-forwarded-user']).toBeUndefined();
  });

  it('reports not ready', async () => {
    const res = await get('/.gatehouse/readyz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'not-ready', checks: { session_store: 'failed' } });
  });
});
