import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  authenticateDevUser,
  DEFAULT_DEV_USERS,
  startDevIdp,
  type DevIdp,
} from '../../../src/demo/index.js';
import { escapeHtml, renderLoginPage } from '../../../src/demo/dev-idp-pages.js';
import { startTestIdp, TEST_CLIENT_ID } from '../../helpers/dev-idp.js';
import { findLoginForm, HttpSession } from '../../helpers/login-flow.js';
import { driveLogin, makeRp } from '../oidc/test-rp.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    srv.close(() => {
      resolve();
    }),
  );
  return port;
}

let idp: DevIdp;

beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await request(url);
  expect(res.statusCode).toBe(200);
  return (await res.body.json()) as Record<string, unknown>;
}

function authUrl(params: Record<string, string>): string {
  const u = new URL(`${idp.issuer}/auth`);
  for (const [k, v] of Object.entries({
    client_id: TEST_CLIENT_ID,
    response_type: 'code',
    redirect_uri: 'http://gateway.test/.gatehouse/callback',
    scope: 'openid',
    ...params,
  })) {
    u.searchParams.set(k, v);
  }
  return u.href;
}

describe('startDevIdp', () => {
  it('listens on an ephemeral loopback port with an http issuer', () => {
    expect(idp.issuer).toBe(`http://127.0.0.1:${idp.port}`);
    expect(idp.port).toBeGreaterThan(0);
  });

  it('publishes discovery metadata: code flow, PKCE S256, logout, userinfo, groups scope and claims', async () => {
    const meta = await getJson(`${idp.issuer}/.well-known/openid-configuration`);
    expect(meta.issuer).toBe(idp.issuer);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.end_session_endpoint).toBe(`${idp.issuer}/session/end`);
    expect(meta.userinfo_endpoint).toBe(`${idp.issuer}/me`);
    expect(meta.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'groups', 'offline_access']),
    );
    expect(meta.claims_supported).toEqual(
      expect.arrayContaining([
        'sub',
        'email',
        'email_verified',
        'name',
        'preferred_username',
        'groups',
        'amr',
        'auth_time',
      ]),
    );
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
  });

  it('requires PKCE: an authorization request without code_challenge is refused', async () => {
    const res = await new HttpSession().follow(
      authUrl({ state: 's', nonce: 'n' }),
      {},
      { stopAt: (u) => u.hostname === 'gateway.test' },
    );
    expect(res.stoppedAt?.searchParams.get('error')).toBe('invalid_request');
    expect(res.stoppedAt?.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('shows a login form that Playwright can fill: username, password, submit button', async () => {
    const res = await new HttpSession().follow(
      authUrl({
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }),
    );
    expect(res.response.status).toBe(200);
    expect(res.response.headers['content-type']).toMatch(/text\/html/);
    expect(res.response.body).toContain('<input id="username" name="username"');
    expect(res.response.body).toContain('<input id="password" name="password" type="password"');
    expect(res.response.body).toContain('<button type="submit">');
    const form = findLoginForm(res.response);
    expect(form?.action.pathname).toMatch(/^\/interaction\/[A-Za-z0-9_-]+\/login$/);
    expect(form?.method).toBe('POST');
  });

  it('answers an unknown interaction with an error page, not a crash', async () => {
    const res = await request(`${idp.issuer}/interaction/does-not-exist`);
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toContain('start again');
  });

  it('serves an issuer with a path under that path, login included', async () => {
    const port = await freePort();
    const mounted = await startTestIdp({ port, issuerUrl: `http://127.0.0.1:${port}/idp` });
    try {
      const meta = await getJson(`${mounted.issuer}/.well-known/openid-configuration`);
      expect(meta.issuer).toBe(`http://127.0.0.1:${port}/idp`);
      expect(meta.authorization_endpoint).toBe(`http://127.0.0.1:${port}/idp/auth`);
      const outside = await request(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
      await outside.body.dump();
      expect(outside.statusCode).toBe(404);
      const rp = makeRp(mounted.issuer);
      const a = await driveLogin(rp, 'bob', 'builder');
      const { identity } = await rp.completeLogin(a.callbackUrl, a.pending);
      expect(identity.preferredUsername).toBe('bob');
    } finally {
      await mounted.close();
    }
  });

  it('fails to start on a port in use', async () => {
    await expect(startDevIdp({ port: idp.port, clients: [] })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('demo users and pages', () => {
  it('authenticates alice and bob with their passwords only', () => {
    expect(authenticateDevUser(DEFAULT_DEV_USERS, 'alice', 'wonderland')?.email).toBe(
      'alice@example.com',
    );
    expect(authenticateDevUser(DEFAULT_DEV_USERS, 'bob', 'builder')?.groups).toEqual(['sales']);
    expect(authenticateDevUser(DEFAULT_DEV_USERS, 'alice', 'builder')).toBeUndefined();
    expect(authenticateDevUser(DEFAULT_DEV_USERS, 'alice', '')).toBeUndefined();
    expect(authenticateDevUser(DEFAULT_DEV_USERS, 'carol', 'wonderland')).toBeUndefined();
  });

  it('escapes user input in the login page', () => {
    const html = renderLoginPage({
      action: '/interaction/x/login',
      clientName: '<b>',
      username: '"><script>',
      error: '<i>',
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;"');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
