/**
 * Policies enforced by the running gateway: no encoding of /admin reaches the admin upstream
 * for bob, `gatehouse explain` gives the same answer as the gateway, every decision is an audit
 * event, and unknown paths and dead upstreams give proper error responses.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { createLogger } from '../../src/observability/index.js';
import { explainRequest } from '../../src/cli/explain.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
    cb();
  },
});

const ROUTES = `
policies:
  admins-only:
    allow: [{ group: admins }]
routes:
  - id: admin
    match: { path: /admin }
    upstream: {{UPSTREAM}}
    policy: admins-only
  - id: reports
    match: { path: /reports, methods: [GET] }
    upstream: {{UPSTREAM}}
    policy:
      allow: [{ email_domain: example.com, method: GET }]
      deny: [{ email: bob@example.com }]
  - id: dead
    match: { path: /dead }
    upstream: http://127.0.0.1:9
    policy: public
  - id: app
    match: { path: /app }
    upstream: {{UPSTREAM}}
    policy: authenticated
  - id: home
    match: { host: 127.0.0.1, path: / }
    upstream: {{UPSTREAM}}
    policy: public
`;

let h: Harness;
let bobCookie: string;
let aliceCookie: string;

beforeAll(async () => {
  h = await startHarness({ routes: ROUTES, logger: createLogger({ level: 'debug', destination: sink }) });
  bobCookie = (await loginThroughIdp(`${h.url}/app/`, 'bob', 'builder')).jar.header(new URL(h.url))!;
  aliceCookie = (await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland')).jar.header(new URL(h.url))!;
});
afterAll(async () => {
  await h.close();
});

async function get(path: string, cookie?: string, method = 'GET') {
  const res = await request(`${h.url}${path}`, {
    method: method as 'GET',
    headers: { accept: 'application/json', ...(cookie === undefined ? {} : { cookie }) },
  });
  const body = await res.body.text();
  return { status: res.statusCode, body };
}

describe('no encoding variant of /admin reaches the admin upstream for bob', () => {
  const variants = [
    '/admin/',
    '/admin',
    '/%61dmin/',
    '/%61%64%6d%69%6e/',
    '//admin/',
    '///admin//x',
    '/./admin/',
    '/x/../admin/',
    '/%2e/admin/',
    '/%2E%2E/admin/',
    '/app/..%2fadmin/',
    '/app/%2e%2e/admin/',
    '/admin%2f',
    '/admin%2F..%2F',
    '/admin%5c',
    '/admin\\',
    '/admin;x=1/',
    '/admin/..;/',
    '/%2561dmin/',
    '/admin%00/',
    '/admin%20/',
    '/admin/%',
    '/admin%u0000',
    '/admin/./x/../',
  ];
  it.each(variants)('%s', async (variant) => {
    const res = await get(variant, bobCookie);
    if (res.status === 200) {
      // Served by another route: the upstream must not see a path it reads as /admin.
      const firstSegment = decodeURIComponent(parseEcho(res.body).path).split('/')[1];
      expect(firstSegment).not.toBe('admin');
    } else {
      expect([400, 403]).toContain(res.status);
    }
  });

  it('the same variants reach the admin upstream for alice exactly as canonicalised', async () => {
    for (const variant of ['/%61dmin/', '//admin/', '/x/../admin/', '/%2e/admin/']) {
      const res = await get(variant, aliceCookie);
      expect(res.status, variant).toBe(200);
      expect(parseEcho(res.body).path, variant).toBe('/admin/');
    }
  });
});

describe('gatehouse explain gives the same answer as the gateway', () => {
  const users = {
    anonymous: undefined,
    alice: { cookie: () => aliceCookie, user: DEFAULT_DEV_USERS.find((u) => u.username === 'alice')! },
    bob: { cookie: () => bobCookie, user: DEFAULT_DEV_USERS.find((u) => u.username === 'bob')! },
  };
  const cases: [keyof typeof users, string, string][] = [];
  for (const who of Object.keys(users) as (keyof typeof users)[]) {
    for (const [method, path] of [
      ['GET', '/admin/'],
      ['GET', '/reports/q3'],
      ['POST', '/reports/q3'],
      ['GET', '/app/x'],
      ['GET', '/'],
      ['GET', '/%61dmin/'],
      ['GET', '/admin%2Fx'],
    ] as const) {
      cases.push([who, method, path]);
    }
  }
  it.each(cases)('%s %s %s', async (who, method, path) => {
    const u = users[who];
    const res = await get(path, u?.cookie(), method);
    const outcome = explainRequest(h.gateway.config(), {
      method,
      url: `${h.url}${path}`,
      ...(u === undefined
        ? {}
        : { user: u.user.sub, email: u.user.email, groups: u.user.groups, issuer: h.idp.issuer }),
    });
    const expected =
      outcome.rejected?.startsWith('400') === true
        ? 400
        : outcome.rejected?.startsWith('404') === true
          ? 404
          : { allow: 200, deny: 403, login: 401, mfa: 403 }[outcome.decision!.effect];
    expect(res.status).toBe(expected);
  });
});

describe('audit events and error responses', () => {
  it('logs every decision as a structured audit event', async () => {
    lines.length = 0;
    await get('/admin/', bobCookie);
    const event = lines.find((l) => l.event === 'access.decision');
    expect(event).toMatchObject({
      event: 'access.decision',
      route: 'admin',
      decision: 'deny',
      reasons: ['group-missing', 'no-rule-allowed'],
      sub: DEFAULT_DEV_USERS.find((u) => u.username === 'bob')!.sub,
      method: 'GET',
      path: '/admin/',
    });
    expect(typeof event!.requestId).toBe('string');
    expect(typeof event!.time).toBe('string');
    expect(JSON.stringify(lines)).not.toContain(bobCookie.split('=')[1]!);
  });

  it('answers 404 when no route matches (unknown host)', async () => {
    const res = await request(`${h.url}/x`, { headers: { host: 'other.example', accept: 'application/json' } });
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toMatchObject({ error: 'ERR_ROUTE_NOT_FOUND' });
  });

  it('answers 502 with a short page when the upstream is down, without internals', async () => {
    const json = await get('/dead/x');
    expect(json.status).toBe(502);
    expect(JSON.parse(json.body)).toMatchObject({ error: 'ERR_UPSTREAM_UNAVAILABLE' });
    expect(json.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:9|stack/);
    const html = await request(`${h.url}/dead/x`, { headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(502);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(await html.body.text()).toContain('Upstream unavailable');
  });
});

describe('request hygiene', () => {
  it('answers 400 to two Host headers and 405 to TRACE, without reaching an upstream', async () => {
    const net = await import('node:net');
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(h.url);
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(text));
        let out = '';
        socket.on('data', (d: Buffer) => (out += d.toString()));
        socket.on('end', () => { resolve(out); });
        socket.on('error', reject);
      });
    expect(await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: other.example\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 405/);
  });
});
