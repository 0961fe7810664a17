/**
 * `trust_idp_mfa`: the dev IdP puts `amr: ["pwd"]` in ID tokens. Trusted with `{ amr: [pwd] }`
 * the login counts as MFA at auth_time and no TOTP is asked; with `true` (mfa, otp, hwk, swk)
 * it does not qualify and Gatehouse's own enrollment starts. Without `mfa:`, a stale IdP MFA is
 * renewed by a new login at the IdP (prompt=login).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { mfaConfigYaml, mfaRoutes } from '../helpers/mfa-flow.js';

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function start(idpConfig: string, withMfa: boolean, clock?: ManualClock): Promise<Harness> {
  const h = await startHarness({
    routes: mfaRoutes(),
    idpExtra: idpConfig,
    ...(withMfa ? { extraConfig: mfaConfigYaml() } : {}),
    ...(clock === undefined ? {} : { clock }),
    accessTokenTtl: 3600,
  });
  harnesses.push(h);
  return h;
}

describe('trust_idp_mfa', () => {
  it('skips the TOTP prompt when the IdP amr is trusted', async () => {
    const h = await start('trust_idp_mfa: { amr: [pwd] }', true);
    const r = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    expect(r.response.url.href).toBe(`${h.url}/admin/`);
    expect(r.response.status).toBe(200);
    const echo = JSON.parse(r.response.body) as { headers: Record<string, string> };
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
  });

  it('asks for TOTP when the IdP amr is not in the trusted list', async () => {
    const h = await start('trust_idp_mfa: true', true);
    const r = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    expect(r.response.url.pathname).toBe('/.gatehouse/mfa/enroll');
  });

  it('without mfa: configured, renews a stale IdP MFA by signing in again at the IdP', async () => {
    const clock = new ManualClock(Date.now());
    const h = await start('trust_idp_mfa: { amr: [pwd] }', false, clock);
    const r = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    expect(r.response.status).toBe(200);
    clock.advance(16 * 60_000);
    const stale = await r.session.send(`${h.url}/admin/`);
    expect(stale.status).toBe(302);
    expect(stale.location?.origin).toBe(new URL(h.idp.issuer).origin);
    expect(stale.location?.searchParams.get('prompt')).toBe('login');
    // Routes without an MFA requirement are unaffected.
    expect((await r.session.send(`${h.url}/app/`)).status).toBe(200);
  });

  it('without mfa: configured, a user whose IdP did no qualifying MFA is refused (fail closed)', async () => {
    const h = await start('trust_idp_mfa: { amr: [hwk] }', false);
    const r = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
    expect(r.response.status).toBe(403);
    expect(r.response.body).toContain('second factor');
  });
});
