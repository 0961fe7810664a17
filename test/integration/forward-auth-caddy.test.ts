/**
 * Caddy's `forward_auth` in front of a real upstream, configured with the Caddyfile block of
 * docs/forward-auth.md verbatim (only addresses substituted). Skipped when Caddy is not
 * installed (`apt-get install -y caddy`; .ci/run installs it).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { docBlock, findBinary, runProxy, startBehindProxy, type BehindProxy } from '../helpers/edge-proxy.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';

const caddy = findBinary('caddy');
const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;

describe.skipIf(caddy === undefined)(
  `Caddy forward_auth in front of an app${caddy === undefined ? ' — SKIPPED: caddy is not installed (apt-get install -y caddy)' : ''}`,
  () => {
    let env: BehindProxy;
    let stop: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      env = await startBehindProxy();
      const site = docBlock('caddyfile')
        .replace('app.example.com {', `http://127.0.0.1:${env.proxyPort} {`)
        .replaceAll('127.0.0.1:4180', env.gatewayUrl.replace('http://', ''))
        .replaceAll('127.0.0.1:8081', env.upstream.url.replace('http://', ''));
      const file = path.join(env.dir, 'Caddyfile');
      writeFileSync(file, `{\n\tadmin off\n\tauto_https off\n}\n${site}`);
      stop = await runProxy(caddy!, ['run', '--config', file, '--adapter', 'caddyfile'], env.proxyPort, {
        ...process.env,
        HOME: env.dir,
        XDG_DATA_HOME: env.dir,
        XDG_CONFIG_HOME: env.dir,
      });
    });
    afterAll(async () => {
      await stop();
      await env.close();
    });

    it('sends a browser to sign in and then serves the app with identity headers and a verifiable assertion', async () => {
      const result = await loginThroughIdp(`${env.proxyUrl}/app/page?x=1`, 'alice', 'wonderland');
      expect(result.submittedLogin).toBe(true);
      expect(result.response.status).toBe(200);
      expect(result.response.url.href).toBe(`${env.proxyUrl}/app/page?x=1`);
      const echo = parseEcho(result.response.body);
      expect(echo.path).toBe('/app/page?x=1');
      expect(echo.headers['x-forwarded-user']).toBe(alice.sub);
      expect(echo.headers['x-forwarded-groups']).toBe('engineering,admins');
      expect(echo.headers.cookie ?? '').not.toMatch(/gatehouse_session/);
      const { payload } = await jwtVerify(
        echo.headers['x-gatehouse-assertion'] as string,
        createRemoteJWKSet(new URL(`${env.proxyUrl}/.well-known/gatehouse/jwks.json`)),
        { issuer: env.proxyUrl, audience: env.proxyUrl },
      );
      expect(payload.sub).toBe(alice.sub);
    });

    it('refuses bob on /admin/ with 403', async () => {
      const bob = (await loginThroughIdp(`${env.proxyUrl}/app/`, 'bob', 'builder')).session;
      expect((await bob.send(`${env.proxyUrl}/admin/`)).status).toBe(403);
    });

    it('ignores an X-Original-URL the client adds (regression: it once chose the URL checked)', async () => {
      const anonymous = await request(`${env.proxyUrl}/app/secret`, {
        headers: { 'x-original-url': `${env.proxyUrl}/`, 'x-original-method': 'GET', accept: 'application/json' },
      });
      expect(anonymous.statusCode).toBe(401);
      await anonymous.body.dump();
      const bob = (await loginThroughIdp(`${env.proxyUrl}/app/`, 'bob', 'builder')).session;
      const res = await bob.send(`${env.proxyUrl}/admin/users`, {
        headers: { 'x-original-url': `${env.proxyUrl}/app/`, accept: 'application/json' },
      });
      expect(res.status).toBe(403);
    });

    it('never passes identity headers a client sends', async () => {
      const res = await request(`${env.proxyUrl}/`, {
        headers: { 'X-Forwarded-User': 'mallory', 'X-Gatehouse-Assertion': 'forged', accept: 'application/json' },
      });
      expect(res.statusCode).toBe(200);
      const echo = parseEcho(await res.body.text());
      // Caddy 2.6 sets the copied headers to the (empty) values Gatehouse names.
      expect(echo.headers['x-forwarded-user'] ?? '').toBe('');
      expect(echo.headers['x-gatehouse-assertion'] ?? '').toBe('');
      expect(JSON.stringify(echo.headers)).not.toContain('{http.');
    });
  },
);
