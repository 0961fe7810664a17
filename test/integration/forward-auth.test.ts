/**
 * Forward-auth mode (`/.gatehouse/auth`): the answers an external proxy gets for the nginx,
 * Traefik/Caddy and Envoy conventions, checked against what the proxy mode decides for the same
 * requests (same canonicalisation and policy code), and the trusted-proxy requirement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { decodeJwt } from 'jose';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { HttpSession, loginThroughIdp, type FlowResponse } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';

const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;

const routes = `routes:
  - id: admin
    match: { path: /admin }
    upstream: {{UPSTREAM}}
    policy:
      groups: [admins]
  - id: readonly
    match: { path: /ro }
    upstream: {{UPSTREAM}}
    policy:
      allow:
        - { authenticated: true, method: [GET, HEAD] }
  - id: legacy
    match: { path: /legacy }
    upstream: {{UPSTREAM}}
    policy: authenticated
    headers:
      X-Remote-User: "{{ preferred_username }}"
  - id: app
    match: { path: /app }
    upstream: {{UPSTREAM}}
    policy: authenticated
  - id: home
    match: { path: /, host: 127.0.0.1 }
    upstream: {{UPSTREAM}}
    policy: public
`;

let h: Harness;
const sessions: Record<'anonymous' | 'alice' | 'bob', HttpSession> = {
  anonymous: new HttpSession(),
  alice: new HttpSession(),
  bob: new HttpSession(),
};
/** API clients: decisions come back as 200 / 401 / 403 in both modes. */
const JSON_ACCEPT = { accept: 'application/json' };
/** A client connecting from 127.0.0.2: not a trusted proxy. */
const untrusted = new Agent({ localAddress: '127.0.0.2' });

beforeAll(async () => {
  h = await startHarness({ routes, extraConfig: 'trusted_proxies: [127.0.0.1]\n' });
  await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland', { session: sessions.alice });
  await loginThroughIdp(`${h.url}/app/`, 'bob', 'builder', { session: sessions.bob });
});
afterAll(async () => {
  await h.close();
  await untrusted.close();
});

type Style = 'nginx' | 'traefik' | 'envoy';

/** Asks /.gatehouse/auth about `method path` the way a proxy of `style` does. */
function askForwardAuth(session: HttpSession, style: Style, method: string, path: string, extra: Record<string, string> = JSON_ACCEPT): Promise<FlowResponse> {
  const original = `${h.url}${path}`;
  switch (style) {
    case 'nginx':
      return session.send(`${h.url}/.gatehouse/auth/nginx`, { headers: { 'x-original-url': original, 'x-original-method': method, ...extra } });
    case 'traefik':
      return session.send(`${h.url}/.gatehouse/auth/forwarded`, {
        headers: { 'x-forwarded-method': method, 'x-forwarded-proto': 'http', 'x-forwarded-host': new URL(h.url).host, 'x-forwarded-uri': path, ...extra },
      });
    case 'envoy':
      return session.send(`${h.url}/.gatehouse/auth/envoy${path}`, { method, headers: { 'x-forwarded-proto': 'http', ...extra } });
  }
}

const IDENTITY = ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-preferred-username', 'x-forwarded-groups', 'x-gatehouse-assertion', 'x-remote-user'];

describe('forward-auth endpoint', () => {
  it('answers like the proxy mode decides, for every user, route, method and proxy convention', async () => {
    const cases: [keyof typeof sessions, string, string][] = [];
    for (const who of ['anonymous', 'alice', 'bob'] as const) {
      for (const path of ['/admin/x', '/app/page?q=1', '/ro/doc', '/legacy/', '/', '/app/../admin/', '/app/%2e%2e/admin/']) {
        for (const method of ['GET', 'POST']) cases.push([who, path, method]);
      }
    }
    let allowed = 0;
    for (const [who, path, method] of cases) {
      const session = sessions[who];
      const proxied = await session.send(`${h.url}${path}`, { method, headers: JSON_ACCEPT });
      expect([200, 401, 403], `${who} ${method} ${path}`).toContain(proxied.status);
      for (const style of ['nginx', 'traefik', 'envoy'] as const) {
        const fa = await askForwardAuth(session, style, method, path);
        const label = `${style}: ${who} ${method} ${path}`;
        expect(fa.status, label).toBe(proxied.status);
        if (proxied.status !== 200) continue;
        allowed++;
        expect(fa.body, label).toBe('');
        const upstream = parseEcho(proxied.body).headers;
        // Forward-auth names every gateway header, empty when the upstream gets none.
        for (const name of IDENTITY) expect(fa.headers[name] || undefined, `${label} ${name}`).toBe(upstream[name]);
      }
    }
    expect(allowed).toBeGreaterThan(20);
  });

  it('answers 200 with the identity headers and the same assertion the proxy mode sends', async () => {
    const fa = await askForwardAuth(sessions.alice, 'nginx', 'GET', '/legacy/page');
    expect(fa.status).toBe(200);
    expect(fa.headers['x-forwarded-user']).toBe(alice.sub);
    expect(fa.headers['x-remote-user']).toBe('alice');
    const claims = decodeJwt(fa.headers['x-gatehouse-assertion'] as string);
    expect(claims).toMatchObject({ sub: alice.sub, aud: h.url, iss: h.url });
    expect(fa.headers['cache-control']).toBe('no-store');
  });

  it('sends browsers to the login page: 401 with Location for nginx, 302 for Traefik/Caddy and Envoy', async () => {
    const browser = new HttpSession();
    const html = { accept: 'text/html' };
    const nginx = await askForwardAuth(browser, 'nginx', 'GET', '/app/page?q=1', html);
    expect(nginx.status).toBe(401);
    const login = new URL(nginx.headers.location as string);
    expect(`${login.origin}${login.pathname}`).toBe(`${h.url}/.gatehouse/login`);
    expect(login.searchParams.get('rd')).toBe(`${h.url}/app/page?q=1`);
    for (const style of ['traefik', 'envoy'] as const) {
      const res = await askForwardAuth(browser, style, 'GET', '/app/page?q=1', html);
      expect(res.status, style).toBe(302);
      expect(res.location?.href).toBe(login.href);
    }
    const api = await askForwardAuth(sessions.anonymous, 'traefik', 'GET', '/app/');
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ login_url: login.href.replace(encodeURIComponent('/app/page?q=1'), encodeURIComponent('/app/')) });
  });

  it('refuses ambiguous targets, unknown hosts and unknown routes with 403 (fail closed)', async () => {
    for (const path of ['/app/%2fadmin', '/app/..%2f..%2fadmin']) {
      const res = await askForwardAuth(sessions.alice, 'nginx', 'GET', path);
      expect(res.status, path).toBe(403);
    }
    const otherHost = await sessions.alice.send(`${h.url}/.gatehouse/auth/nginx`, {
      headers: { 'x-original-url': 'http://elsewhere.example/', 'x-original-method': 'GET' },
    });
    expect(otherHost.status).toBe(403);
    const none = await sessions.alice.send(`${h.url}/.gatehouse/auth`, { headers: JSON_ACCEPT });
    expect(none.status).toBe(403);
    expect(JSON.parse(none.body).message).toMatch(/auth\/nginx/);
  });

  it('picks the convention by the path the proxy calls, never by client-supplied headers (regression: Caddy bypass)', async () => {
    // Behind Caddy/Traefik the client's own headers reach the sub-request: an X-Original-URL it adds
    // must not replace the X-Forwarded-Uri the proxy set.
    const behindCaddy = await askForwardAuth(sessions.bob, 'traefik', 'GET', '/admin/users', {
      ...JSON_ACCEPT,
      'x-original-url': `${h.url}/`,
      'x-original-method': 'GET',
    });
    expect(behindCaddy.status).toBe(403);
    const anonymous = await askForwardAuth(new HttpSession(), 'traefik', 'GET', '/app/secret', {
      ...JSON_ACCEPT,
      'x-original-url': `${h.url}/`,
    });
    expect(anonymous.status).toBe(401);
    // Behind nginx the client's X-Forwarded-Uri must not replace X-Original-URL.
    const behindNginx = await askForwardAuth(sessions.bob, 'nginx', 'GET', '/admin/users', { ...JSON_ACCEPT, 'x-forwarded-uri': '/' });
    expect(behindNginx.status).toBe(403);
  });

  it('believes forward-auth headers only from trusted proxies', async () => {
    const res = await request(`${h.url}/.gatehouse/auth/nginx`, {
      dispatcher: untrusted,
      headers: { accept: 'application/json', 'x-original-url': `${h.url}/`, 'x-original-method': 'GET' },
    });
    expect(res.statusCode).toBe(403);
    expect(await res.body.json()).toMatchObject({ error: 'ERR_ACCESS_DENIED' });
    // The same client may still use the gateway as a proxy.
    const proxied = await request(`${h.url}/`, { dispatcher: untrusted, headers: { accept: 'application/json' } });
    expect(proxied.statusCode).toBe(200);
    await proxied.body.dump();
  });
});
