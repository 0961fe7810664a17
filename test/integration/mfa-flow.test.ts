/**
 * Gatehouse's own MFA through the whole gateway (SQLite factor store, memory sessions): a
 * cookie-carrying client logs in at the real dev IdP, is led through TOTP enrollment, reaches the
 * upstream, is asked again after max_age, and the guards hold: replay, recovery codes used once,
 * CSRF, session id rotation, factors surviving a restart, lockout. Time is a ManualClock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ManualClock } from '../../src/core/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import {
  findForms,
  loginThroughIdp,
  type FlowResponse,
  type HttpSession,
} from '../helpers/login-flow.js';
import {
  codeAt,
  mfaConfigYaml,
  mfaRoutes,
  recoveryCodesOf,
  secretOf,
  submitMfaForm,
} from '../helpers/mfa-flow.js';

const clock = new ManualClock(Date.now());
let h: Harness;
let secret = '';
let recovery: string[] = [];
let enrollCode = '';

beforeAll(async () => {
  h = await startHarness({
    clock,
    routes: mfaRoutes(),
    extraConfig: mfaConfigYaml({ maxPerUser: 3 }),
    accessTokenTtl: 3600,
  });
});
afterAll(async () => {
  await h.close();
});

const cookieName = 'gatehouse_session';

/** Logs alice in through /admin/ in a new client; returns the client and the MFA page reached. */
async function aliceAtAdmin(): Promise<{ session: HttpSession; page: FlowResponse }> {
  const r = await loginThroughIdp(`${h.url}/admin/`, 'alice', 'wonderland');
  expect(r.loginRejected).toBe(false);
  return { session: r.session, page: r.response };
}

function echoOf(res: FlowResponse): { headers: Record<string, string>; url: string } {
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as { headers: Record<string, string>; url: string };
}

describe('MFA enrollment and verification (SQLite)', () => {
  it('requires a primary login at most 5 minutes old to enroll', async () => {
    const r = await loginThroughIdp(`${h.url}/secure/`, 'bob', 'builder');
    expect(r.response.url.pathname).toBe('/.gatehouse/mfa/enroll');
    clock.advance(6 * 60_000);
    const again = await r.session.send(r.response.url);
    expect(again.status).toBe(302);
    const authorize = again.location!;
    expect(authorize.origin).toBe(new URL(h.idp.issuer).origin);
    expect(authorize.searchParams.get('prompt')).toBe('login');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.url}/.gatehouse/callback`);

    // The IdP's clock is real time, the gateway's is 6 minutes ahead: the new login still looks
    // old, and the gateway stops with a page instead of looping through the IdP.
    const relogin = await loginThroughIdp(authorize, 'bob', 'builder', { session: r.session });
    expect(relogin.response.status).toBe(403);
    expect(relogin.response.body).toContain('Sign-in not recent');
    expect(relogin.hops.filter((x) => x.url.pathname === '/.gatehouse/callback')).toHaveLength(1);

    clock.advance(-6 * 60_000); // back to the IdP's time: enrollment opens
    const fresh = await r.session.send(r.response.url);
    expect(fresh.status).toBe(200);
    expect(secretOf(fresh)).toMatch(/^[A-Z2-7]+$/);
  });

  it('leads alice through enrollment on her first visit to /admin/ and rotates the session id', async () => {
    const { session, page } = await aliceAtAdmin();
    expect(page.url.pathname).toBe('/.gatehouse/mfa/enroll');
    expect(page.url.searchParams.get('rd')).toBe(`${h.url}/admin/`);
    expect(page.body).toMatch(/<img id="totp-qr" src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    secret = secretOf(page);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const before = session.jar.get(cookieName);
    expect(before).toBeDefined();

    enrollCode = await codeAt(secret, clock);
    const done = await submitMfaForm(session, page, { code: enrollCode });
    expect(done.status).toBe(200);
    recovery = recoveryCodesOf(done);
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    const after = session.jar.get(cookieName);
    expect(after).toBeDefined();
    expect(after).not.toBe(before); // DESIGN.md invariant 6: new session id at MFA

    // The old session id is gone.
    const old = await request(`${h.url}/app/`, {
      headers: { cookie: `${cookieName}=${before!}`, accept: 'application/json' },
    });
    await old.body.dump();
    expect(old.statusCode).toBe(401);

    const cont = /<a class="button" id="continue" href="([^"]+)"/.exec(done.body)?.[1];
    expect(cont).toBe(`${h.url}/admin/`);
    const admin = await session.send(cont!);
    const echo = echoOf(admin);
    expect(echo.headers['x-forwarded-email']).toBe('alice@example.com');
  });

  it('refuses the enrollment code a second time (replay) and accepts the next code', async () => {
    const { session, page } = await aliceAtAdmin();
    expect(page.url.pathname).toBe('/.gatehouse/mfa/verify');
    const again = await submitMfaForm(session, page, { code: enrollCode });
    expect(again.status).toBe(400);
    expect(again.body).toContain('already used');
    clock.advance(30_000);
    const ok = await submitMfaForm(session, again, { code: await codeAt(secret, clock) });
    expect(ok.status).toBe(303);
    expect(ok.location?.href).toBe(`${h.url}/admin/`);
    echoOf(await session.send(ok.location!));

    // Step-up: 16 minutes later /admin/ (max_age 15m) asks again; /app/ does not.
    clock.advance(16 * 60_000);
    expect((await session.send(`${h.url}/app/`)).status).toBe(200);
    const stale = await session.send(`${h.url}/admin/`);
    expect(stale.status).toBe(302);
    expect(stale.location?.pathname).toBe('/.gatehouse/mfa/verify');
    const verify = await session.send(stale.location!);
    expect(verify.status).toBe(200);
    const stepped = await submitMfaForm(session, verify, { code: await codeAt(secret, clock) });
    expect(stepped.status).toBe(303);
    echoOf(await session.send(stepped.location!));
  });

  it('tells API clients mfa_required with 401 and an RFC 9470 challenge', async () => {
    const { session } = await aliceAtAdmin();
    const res = await request(`${h.url}/admin/`, {
      headers: { cookie: session.jar.header(new URL(h.url))!, accept: 'application/json' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_user_authentication"');
    expect(res.headers['www-authenticate']).toContain('max_age=900');
    const body = (await res.body.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      error: 'mfa_required',
      reason: 'mfa-required',
      max_age: 900,
      route: 'admin',
    });
  });

  it('refuses a form post without the CSRF token', async () => {
    const { session, page } = await aliceAtAdmin();
    const form = findForms(page)[0]!;
    const res = await session.send(form.action, {
      method: 'POST',
      body: new URLSearchParams({
        rd: form.fields.rd ?? '',
        code: await codeAt(secret, clock, 30_000),
      }),
    });
    expect(res.status).toBe(403);
    const forged = await session.send(form.action, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: new URLSearchParams({ ...form.fields, code: '000000' }),
    });
    expect(forged.status).toBe(403);
  });

  it('accepts a recovery code once', async () => {
    const first = await aliceAtAdmin();
    const used = await submitMfaForm(first.session, first.page, {
      code: recovery[0]!.toUpperCase(),
    });
    expect(used.status).toBe(200);
    expect(used.body).toContain('You have 9 left');
    const cont = /id="continue" href="([^"]+)"/.exec(used.body)?.[1];
    echoOf(await first.session.send(cont!.replaceAll('&amp;', '&')));

    const second = await aliceAtAdmin();
    const again = await submitMfaForm(second.session, second.page, { code: recovery[0]! });
    expect(again.status).toBe(400);
  });

  it('regenerates recovery codes after a fresh MFA; old codes stop working', async () => {
    const { session, page } = await aliceAtAdmin();
    clock.advance(30_000);
    const ok = await submitMfaForm(session, page, { code: await codeAt(secret, clock) });
    expect(ok.status).toBe(303);
    const regen = await session.send(`${h.url}/.gatehouse/mfa/recovery-codes`);
    expect(regen.status).toBe(200);
    expect(regen.body).toContain('9 unused recovery codes');
    const fresh = await submitMfaForm(session, regen, {});
    expect(fresh.status).toBe(200);
    const codes = recoveryCodesOf(fresh);
    expect(codes).toHaveLength(10);

    // 6 minutes later (fresh_mfa_max_age 5m) the page asks for MFA first.
    clock.advance(6 * 60_000);
    const stale = await session.send(`${h.url}/.gatehouse/mfa/recovery-codes`);
    expect(stale.status).toBe(303);
    expect(stale.location?.pathname).toBe('/.gatehouse/mfa/verify');

    const other = await aliceAtAdmin();
    expect((await submitMfaForm(other.session, other.page, { code: recovery[1]! })).status).toBe(
      400,
    );
    const withNew = await submitMfaForm(other.session, other.page, { code: codes[0]! });
    expect(withNew.status).toBe(200);
    recovery = codes.slice(1);
  });

  it('keeps bob out of /admin/ (group missing comes before MFA)', async () => {
    const r = await loginThroughIdp(`${h.url}/admin/`, 'bob', 'builder');
    expect(r.response.status).toBe(403);
    expect(r.response.url.pathname).toBe('/admin/');
  });

  it('keeps factors across a gateway restart (SQLite file)', async () => {
    await h.restart();
    const { session, page } = await aliceAtAdmin();
    expect(page.url.pathname).toBe('/.gatehouse/mfa/verify');
    clock.advance(30_000);
    const ok = await submitMfaForm(session, page, { code: await codeAt(secret, clock) });
    expect(ok.status).toBe(303);
    echoOf(await session.send(ok.location!));
  });

  it('locks alice out after 3 wrong codes with a "try again in N minutes" page', async () => {
    const { session, page } = await aliceAtAdmin();
    let last = page;
    for (let i = 0; i < 2; i++) {
      last = await submitMfaForm(session, last, { code: '000000' });
      expect(last.status).toBe(400);
    }
    const locked = await submitMfaForm(session, last, { code: '000000' });
    expect(locked.status).toBe(429);
    expect(locked.body).toContain('Try again in 15 minutes');
    expect(locked.headers['retry-after']).toBe('900');
    // While locked, even a correct code is refused.
    clock.advance(30_000);
    const still = await submitMfaForm(session, page, { code: await codeAt(secret, clock) });
    expect(still.status).toBe(429);
  });
});
