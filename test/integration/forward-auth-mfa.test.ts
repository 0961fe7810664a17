/**
 * Forward-auth and MFA: a route that demands MFA sends the user to the gateway's MFA pages, as
 * proxy mode does (302 for browsers behind Traefik/Caddy, 401 + Location for nginx and APIs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { HttpSession, loginThroughIdp } from '../helpers/login-flow.js';
import { mfaConfigYaml, mfaRoutes } from '../helpers/mfa-flow.js';

let h: Harness;
const alice = new HttpSession();

beforeAll(async () => {
  h = await startHarness({ routes: mfaRoutes(), extraConfig: `trusted_proxies: [127.0.0.1]\n${mfaConfigYaml()}` });
  await loginThroughIdp(`${h.url}/.gatehouse/login?rd=/`, 'alice', 'wonderland', { session: alice });
});
afterAll(async () => {
  await h.close();
});

describe('forward-auth on a route that demands MFA', () => {
  it('sends a browser behind Traefik/Caddy to enrollment with the original URL to return to', async () => {
    const res = await alice.send(`${h.url}/.gatehouse/auth/forwarded`, {
      headers: {
        accept: 'text/html',
        'x-forwarded-method': 'GET',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': new URL(h.url).host,
        'x-forwarded-uri': '/admin/page',
      },
    });
    expect(res.status).toBe(302);
    expect(res.location!.pathname).toBe('/.gatehouse/mfa/enroll');
    expect(res.location!.searchParams.get('rd')).toBe(`${h.url}/admin/page`);
  });

  it('answers nginx with 401 and the MFA page in Location', async () => {
    const res = await alice.send(`${h.url}/.gatehouse/auth/nginx`, {
      headers: { accept: 'text/html', 'x-original-url': `${h.url}/admin/page`, 'x-original-method': 'GET' },
    });
    expect(res.status).toBe(401);
    expect(String(res.headers.location)).toContain('/.gatehouse/mfa/enroll?rd=');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'mfa_required' });
  });
});
