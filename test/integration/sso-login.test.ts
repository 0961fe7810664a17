/**
 * The main job end to end: a real development IdP (oidc-provider), a real echo upstream and the
 * gateway on loopback ports; a cookie-carrying client walks the login flow. Assertions are on
 * what the upstream received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { HttpSession, loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';

const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function signIn(username: string, password: string, path = '/app/'): Promise<HttpSession> {
  const result = await loginThroughIdp(`${h.url}${path}`, username, password);
  expect(result.submittedLogin).toBe(true);
  expect(result.loginRejected).toBe(false);
  return result.session;
}

describe('single sign-on through the gateway', () => {
  it('sends a browser without a session straight to the IdP with state, nonce and PKCE', async () => {
    const s = new HttpSession();
    const res = await s.send(`${h.url}/app/page?x=1`);
    expect(res.status).toBe(302);
    const loc = res.location!;
    expect(loc.origin).toBe(new URL(h.idp.issuer).origin);
    expect(loc.searchParams.get('response_type')).toBe('code');
    expect(loc.searchParams.get('code_challenge_method')).toBe('S256');
    expect(loc.searchParams.get('state')).toBeTruthy();
    expect(loc.searchParams.get('nonce')).toBeTruthy();
    expect(loc.searchParams.get('redirect_uri')).toBe(`${h.url}/.gatehouse/callback`);
    expect(String(res.headers['set-cookie'])).toMatch(/gatehouse_session_flow_[0-9a-f]{12}=.*HttpOnly/i);
  });

  it('logs alice in, returns to the page first asked for, and the upstream gets her identity', async () => {
    const result = await loginThroughIdp(`${h.url}/app/page?x=1`, 'alice', 'wonderland');
    expect(result.response.status).toBe(200);
    expect(result.response.url.href).toBe(`${h.url}/app/page?x=1`);
    const echo = parseEcho(result.response.body);
    expect(echo.path).toBe('/app/page?x=1');
    expect(echo.headers['x-forwarded-user']).toBe(alice.sub);
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
    expect(echo.headers['x-forwarded-preferred-username']).toBe('alice');
    expect(echo.headers['x-forwarded-groups']).toBe('engineering,admins');
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    expect(echo.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // The gateway's own cookies never reach the upstream.
    expect(echo.headers.cookie ?? '').not.toMatch(/gatehouse_session/);
  });

  it('sets a session cookie that is HttpOnly, SameSite=Lax and Path=/', async () => {
    const s = new HttpSession();
    const start = await s.send(`${h.url}/.gatehouse/login?rd=/app/`);
    expect(start.status).toBe(302);
    const result = await loginThroughIdp(start.location!, 'alice', 'wonderland', { session: s });
    const callbackHop = result.hops.find((r) => r.url.pathname === '/.gatehouse/callback')!;
    const setCookie = ([] as string[]).concat(callbackHop.headers['set-cookie'] as string | string[]);
    const session = setCookie.find((c) => c.startsWith('gatehouse_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Path=\//);
    expect(session).not.toMatch(/Secure/i); // public URL is http here
    expect(session.split(';')[0]!.split('=')[1]!.length).toBeGreaterThanOrEqual(22); // ≥128 bits
    // The flow cookie is cleared at the callback.
    expect(setCookie.some((c) => /gatehouse_session_flow_[0-9a-f]{12}=;/.test(c))).toBe(true);
  });

  it('answers API clients without a session with 401 and WWW-Authenticate, never a redirect', async () => {
    const res = await request(`${h.url}/app/data`, { headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    const body = (await res.body.json()) as { login_url: string };
    expect(body.login_url).toContain('/.gatehouse/login?rd=');
    const xhr = await request(`${h.url}/app/data`, { headers: { accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' } });
    expect(xhr.statusCode).toBe(401);
    await xhr.body.dump();
  });

  it('gives bob 403 on /admin/ with a page naming the route, and alice gets through', async () => {
    const bob = await signIn('bob', 'builder');
    const denied = await bob.send(`${h.url}/admin/`);
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('admin');
    expect(denied.body).toContain('not in a group allowed');
    expect(denied.body).not.toContain('admins'); // policy internals are not revealed
    const json = await bob.send(`${h.url}/admin/`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(403);
    expect(JSON.parse(json.body)).toMatchObject({ error: 'ERR_ACCESS_DENIED', route: 'admin', reason: 'group-missing' });

    const a = await signIn('alice', 'wonderland');
    const ok = await a.send(`${h.url}/admin/`);
    expect(ok.status).toBe(200);
    expect(parseEcho(ok.body).headers['x-forwarded-user']).toBe(alice.sub);
  });

  it('strips spoofed identity headers (any case, _ or -) on public and protected routes', async () => {
    const spoof = {
      'X-Forwarded-User': 'mallory',
      x_forwarded_email: 'mallory@evil.example',
      'X-FORWARDED-GROUPS': 'admins',
      'x-forwarded_preferred-username': 'root',
      'X-Gatehouse-Assertion': 'forged',
      'X-Original-URL': '/admin/',
      accept: 'application/json',
    };
    const pub = await request(`${h.url}/`, { headers: spoof });
    const pubEcho = parseEcho(await pub.body.text());
    for (const name of Object.keys(pubEcho.headers)) {
      expect(name.replace(/_/g, '-')).not.toMatch(/^x-forwarded-(user|email|groups|preferred-username)$|^x-gatehouse|^x-original-url$/);
    }
    const a = await signIn('alice', 'wonderland');
    const prot = await a.send(`${h.url}/app/`, { headers: spoof });
    const echo = parseEcho(prot.body);
    expect(echo.headers['x-forwarded-user']).toBe(alice.sub);
    expect(echo.headers['x-forwarded-groups']).toBe('engineering,admins');
    expect(echo.headers.x_forwarded_email).toBeUndefined();
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
    expect(echo.headers['x-original-url']).toBeUndefined();
  });

  it('attaches identity on a public route when a session exists', async () => {
    const a = await signIn('alice', 'wonderland');
    const res = await a.send(`${h.url}/`);
    expect(parseEcho(res.body).headers['x-forwarded-user']).toBe(alice.sub);
  });

  it('serves /.gatehouse/userinfo for a session and 401 without', async () => {
    const a = await signIn('alice', 'wonderland');
    const res = await a.send(`${h.url}/.gatehouse/userinfo`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const info = JSON.parse(res.body) as Record<string, unknown>;
    expect(info).toMatchObject({ sub: alice.sub, email: 'alice@example.com', groups: ['engineering', 'admins'] });
    expect(JSON.stringify(info)).not.toMatch(/token/i);
    const anon = await request(`${h.url}/.gatehouse/userinfo`, { headers: { accept: 'application/json' } });
    expect(anon.statusCode).toBe(401);
    await anon.body.dump();
  });

  it('logout deletes the server-side session: the old cookie is refused afterwards', async () => {
    const a = await signIn('alice', 'wonderland');
    const cookie = a.jar.header(new URL(h.url))!;
    const out = await a.send(`${h.url}/.gatehouse/logout`);
    expect(out.status).toBe(302);
    // RP-initiated logout at the IdP's end_session_endpoint.
    expect(out.location!.origin).toBe(new URL(h.idp.issuer).origin);
    expect(out.location!.searchParams.get('id_token_hint')).toBeTruthy();
    expect(String(out.headers['set-cookie'])).toMatch(/gatehouse_session=;/);
    // Replaying the old cookie by hand: the session is gone server-side.
    const replay = await request(`${h.url}/app/`, { headers: { cookie, accept: 'application/json' } });
    expect(replay.statusCode).toBe(401);
    await replay.body.dump();
  });

  it('returns only to hosts the gateway serves after login', async () => {
    for (const rd of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)', '%2F%2Fevil.example']) {
      const result = await loginThroughIdp(`${h.url}/.gatehouse/login?rd=${encodeURIComponent(rd)}`, 'alice', 'wonderland');
      const callback = result.hops.find((r) => r.url.pathname === '/.gatehouse/callback')!;
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe(`${h.url}/`);
    }
  });

  it('rejects a callback without the browser binding (login CSRF) and a forged state', async () => {
    const s = new HttpSession();
    const res = await s.send(`${h.url}/.gatehouse/callback?code=abc&state=forged`);
    expect(res.status).toBe(400);
    expect(res.body).not.toMatch(/at .*\.ts|Error:/); // no stack trace
  });

  it('rejects ambiguous encodings with 400 before any route is chosen', async () => {
    for (const path of ['/app%2Fx', '/app%5Cx', '/app/%00', '/app/%zz', '/app/..%2F..%2Fadmin']) {
      const res = await request(`${h.url}${path}`, { headers: { accept: 'application/json' } });
      expect(res.statusCode, path).toBe(400);
      await res.body.dump();
    }
  });

  it('serves healthz and readyz', async () => {
    const health = await request(`${h.url}/.gatehouse/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const ready = await request(`${h.url}/.gatehouse/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toMatchObject({ status: 'ready', checks: { session_store: 'ok', 'idp:test': 'ok' } });
  });
});
