/**
 * Debian's nginx on loopback with `auth_request` in front of a real upstream, configured with
 * the nginx block of docs/forward-auth.md verbatim (only addresses substituted). Skipped when
 * nginx is not installed (`apt-get install -y nginx`; .ci/run installs it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { docBlock, findBinary, runProxy, startBehindProxy, type BehindProxy } from '../helpers/edge-proxy.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';

const nginx = findBinary('nginx');
const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;

describe.skipIf(nginx === undefined)(
  `nginx auth_request in front of an app${nginx === undefined ? ' — SKIPPED: nginx is not installed (apt-get install -y nginx)' : ''}`,
  () => {
    let env: BehindProxy;
    let stop: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      env = await startBehindProxy();
      const server = docBlock('nginx')
        .replace('listen 80;', `listen 127.0.0.1:${env.proxyPort};`)
        .replaceAll('http://127.0.0.1:4180', env.gatewayUrl)
        .replaceAll('http://127.0.0.1:8081', env.upstream.url);
      const d = env.dir;
      for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(d, 'nginx', t), { recursive: true });
      const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${d}/nginx/nginx.pid;
error_log ${d}/nginx/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${d}/nginx/body;
  proxy_temp_path ${d}/nginx/proxy;
  fastcgi_temp_path ${d}/nginx/fastcgi;
  uwsgi_temp_path ${d}/nginx/uwsgi;
  scgi_temp_path ${d}/nginx/scgi;
${server}
}
`;
      writeFileSync(path.join(d, 'nginx', 'nginx.conf'), conf);
      stop = await runProxy(nginx!, ['-e', `${d}/nginx/error.log`, '-p', `${d}/nginx`, '-c', `${d}/nginx/nginx.conf`], env.proxyPort);
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
      // The login went through nginx: 302 from the 401 + Location of /.gatehouse/auth.
      expect(result.hops[0]!.status).toBe(302);
      expect(result.hops[0]!.location!.pathname).toBe('/.gatehouse/login');
      const echo = parseEcho(result.response.body);
      expect(echo.path).toBe('/app/page?x=1');
      expect(echo.headers['x-forwarded-user']).toBe(alice.sub);
      expect(echo.headers['x-forwarded-email']).toBe(alice.email);
      expect(echo.headers['x-forwarded-groups']).toBe('engineering,admins');
      expect(echo.headers.cookie ?? '').not.toMatch(/gatehouse_session/);
      const { payload } = await jwtVerify(
        echo.headers['x-gatehouse-assertion'] as string,
        createRemoteJWKSet(new URL(`${env.proxyUrl}/.well-known/gatehouse/jwks.json`)),
        { issuer: env.proxyUrl, audience: env.proxyUrl },
      );
      expect(payload.sub).toBe(alice.sub);

      const admin = await result.session.send(`${env.proxyUrl}/admin/`);
      expect(admin.status).toBe(200);
    });

    it('refuses bob on /admin/ with 403 and never reaches the app', async () => {
      const bob = (await loginThroughIdp(`${env.proxyUrl}/app/`, 'bob', 'builder')).session;
      const res = await bob.send(`${env.proxyUrl}/admin/`);
      expect(res.status).toBe(403);
      expect(res.body).not.toContain('"headers"'); // nginx's page, not the echo upstream
    });

    it('removes identity headers a client sends, on the public route too', async () => {
      const res = await request(`${env.proxyUrl}/`, {
        headers: { 'X-Forwarded-User': 'mallory', 'X-Forwarded-Groups': 'admins', 'X-Gatehouse-Assertion': 'forged', accept: 'application/json' },
      });
      expect(res.statusCode).toBe(200);
      const echo = parseEcho(await res.body.text());
      expect(echo.headers['x-forwarded-user']).toBeUndefined();
      expect(echo.headers['x-forwarded-groups']).toBeUndefined();
      expect(echo.headers['x-gatehouse-assertion']).toBeUndefined();
    });
  },
);
