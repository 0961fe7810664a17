/**
 * API clients with OAuth 2 access tokens (RFC 6750) through the whole gateway: the real
 * development IdP issues JWT access tokens for API resources (RFC 8707/9068) and opaque ones
 * checked by introspection (RFC 7662); assertions are on what the upstream received and on the
 * RFC 6750 error answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { ManualClock } from '../../src/core/index.js';
import { DEFAULT_DEV_USERS, startDevIdp, type DevIdp } from '../../src/demo/index.js';
import { CLIENT_ID, CLIENT_SECRET, freePort, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';
import { API_CLIENT, userAccessToken } from '../helpers/api-token.js';

const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;
const API = 'https://api.example.test';
const OTHER_API = 'https://other.example.test';
const OPAQUE_API = 'https://opaque.example.test';
const ACCESS_TOKEN_TTL = 600;

const resources = [
  { url: API, scopes: ['api:read', 'api:write'] },
  { url: OTHER_API, scopes: ['api:read'] },
  { url: OPAQUE_API, scopes: ['api:read'], format: 'opaque' as const },
];

const routes = `routes:
  - id: api-read
    match: { path: /api/read }
    upstream: {{UPSTREAM}}
    bearer: true
    policy:
      allow:
        - scope: api:read
  - id: api-write
    match: { path: /api/write }
    upstream: {{UPSTREAM}}
    bearer: true
    policy:
      allow:
        - scope: api:write
  - id: api-me
    match: { path: /api/me }
    upstream: {{UPSTREAM}}
    bearer: true
    policy: authenticated
  - id: api-pass
    match: { path: /api/pass }
    upstream: {{UPSTREAM}}
    bearer: true
    pass_access_token: true
    policy: authenticated
  - id: app
    match: { path: /app }
    upstream: {{UPSTREAM}}
    policy: authenticated
`;

let h: Harness;
let idp: DevIdp;
let otherIdp: DevIdp;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  const port = await freePort();
  const gatewayClient = {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [`http://127.0.0.1:${port}/.gatehouse/callback`],
    post_logout_redirect_uris: [`http://127.0.0.1:${port}/`],
  };
  idp = await startDevIdp({ clients: [gatewayClient, API_CLIENT], apiResources: resources, ttl: { accessToken: ACCESS_TOKEN_TTL } });
  otherIdp = await startDevIdp({ clients: [API_CLIENT], apiResources: resources });
  h = await startHarness({
    idp,
    port,
    clock,
    routes,
    idpExtra: `bearer:
  audience: [${API}, ${OPAQUE_API}]
  introspection:
    cache_ttl: 30s`,
  });
});
afterAll(async () => {
  await h.close();
  await idp.close();
  await otherIdp.close();
});

function get(path: string, token: string | undefined, headers: Record<string, string> = {}) {
  return request(`${h.url}${path}`, {
    headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
  });
}

describe('bearer access tokens', () => {
  it('accepts a JWT access token of the IdP: the upstream gets the identity and an assertion, not the token', async () => {
    const token = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: API });
    expect(decodeJwt(token).aud).toBe(API);
    const res = await get('/api/read/items', token);
    expect(res.statusCode).toBe(200);
    const echo = parseEcho(await res.body.text());
    expect(echo.headers['x-forwarded-user']).toBe(alice.sub);
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
    expect(echo.headers['x-forwarded-groups']).toBe('engineering,admins');
    expect(echo.headers.authorization).toBeUndefined();
    const assertion = echo.headers['x-gatehouse-assertion'] as string;
    const jwks = createRemoteJWKSet(new URL(`${h.url}/.well-known/gatehouse/jwks.json`));
    const { payload } = await jwtVerify(assertion, jwks, { issuer: h.url, audience: h.url, currentDate: new Date(clock.now()) });
    expect(payload).toMatchObject({ sub: alice.sub, email: 'alice@example.com', groups: ['engineering', 'admins'] });
    expect(payload.sid).toBeUndefined(); // no session behind a bearer token
  });

  it('passes the token on only when the route says pass_access_token', async () => {
    const token = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: API });
    const res = await get('/api/pass', token);
    expect(res.statusCode).toBe(200);
    expect(parseEcho(await res.body.text()).headers.authorization).toBe(`Bearer ${token}`);
  });

  it('gives bearer and cookie callers the same identity headers and assertion claims', async () => {
    const token = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: API });
    const viaToken = parseEcho(await (await get('/api/me', token)).body.text());
    const login = await loginThroughIdp(`${h.url}/api/me`, 'alice', 'wonderland');
    expect(login.response.status).toBe(200);
    const viaCookie = parseEcho(login.response.body);
    for (const name of ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-preferred-username', 'x-forwarded-groups']) {
      expect(viaToken.headers[name]).toBeDefined();
      expect(viaToken.headers[name]).toBe(viaCookie.headers[name]);
    }
    const pick = (jwt: string) => {
      const { sub, email, name, preferred_username, groups, roles, idp: issuer, iss, aud } = decodeJwt(jwt);
      return { sub, email, name, preferred_username, groups, roles, idp: issuer, iss, aud };
    };
    expect(pick(viaToken.headers['x-gatehouse-assertion'] as string)).toEqual(pick(viaCookie.headers['x-gatehouse-assertion'] as string));
    expect(decodeJwt(viaCookie.headers['x-gatehouse-assertion'] as string).sid).toEqual(expect.any(String));
  });

  it('answers 403 insufficient_scope when a scope criterion fails', async () => {
    const token = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: API });
    const res = await get('/api/write', token);
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="gatehouse", error="insufficient_scope"/);
    expect(await res.body.json()).toMatchObject({ reason: 'scope-missing' });
    const writer = await userAccessToken(idp, { username: 'bob', password: 'builder', scope: 'openid api:write', resource: API });
    const ok = await get('/api/write', writer);
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
  });

  it('refuses a token for another audience with 401 invalid_token', async () => {
    const token = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: OTHER_API });
    const res = await get('/api/read', token);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse", error="invalid_token", error_description="the access token is not for this audience"');
    await res.body.dump();
  });

  it('refuses a token from another issuer (another IdP with the same API)', async () => {
    const token = await userAccessToken(otherIdp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: API });
    const res = await get('/api/read', token);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    await res.body.dump();
  });

  it('refuses forged tokens: alg none, HS256 keyed with anything, garbage, and a malformed header', async () => {
    const real = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: API });
    const payload = decodeJwt(real);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ ...payload, sub: 'mallory' })}.`;
    const hs = await new SignJWT({ ...payload, sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256', kid: 'whatever' })
      .sign(new TextEncoder().encode('guessed-secret-0123456789abcdef0123'));
    for (const token of [none, hs, 'not-a-token', `${real.slice(0, -4)}AAAA`]) {
      const res = await get('/api/read', token);
      expect(res.statusCode, token.slice(0, 20)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      await res.body.dump();
    }
    const malformed = await request(`${h.url}/api/read`, { headers: { accept: 'application/json', authorization: 'Bearer a b' } });
    expect(malformed.statusCode).toBe(401);
    expect(malformed.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    await malformed.body.dump();
  });

  it('asks API clients without a token for one: 401 with a bare Bearer challenge', async () => {
    const res = await get('/api/read', undefined);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
    await res.body.dump();
  });

  it('accepts an opaque access token through introspection', async () => {
    const token = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: OPAQUE_API });
    expect(token.split('.')).toHaveLength(1);
    const res = await get('/api/read', token);
    expect(res.statusCode).toBe(200);
    const echo = parseEcho(await res.body.text());
    expect(echo.headers['x-forwarded-user']).toBe(alice.sub);
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
  });

  it('refuses an expired token (gateway clock past exp plus the 30 s tolerance)', async () => {
    const jwt = await userAccessToken(idp, { username: 'alice', password: 'wonderland', scope: 'openid api:read', resource: API });
    const ok = await get('/api/read', jwt);
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    const start = clock.now();
    const exp = decodeJwt(jwt).exp!;
    expect(exp - decodeJwt(jwt).iat!).toBe(ACCESS_TOKEN_TTL);
    clock.set(exp * 1000 + 29_000); // within the 30 s tolerance
    const tolerated = await get('/api/read', jwt);
    expect(tolerated.statusCode).toBe(200);
    await tolerated.body.dump();
    clock.set(exp * 1000 + 31_000);
    try {
      const res = await get('/api/read', jwt);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error_description="the access token has expired"');
      await res.body.dump();
    } finally {
      clock.set(start);
    }
  });
});
