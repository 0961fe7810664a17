import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { decodeJwt } from 'jose';
import { isGatewayError, ManualClock } from '../../../src/core/index.js';
import type { DevIdp } from '../../../src/demo/index.js';
import { startTestIdp } from '../../helpers/dev-idp.js';
import { HttpSession, loginThroughIdp } from '../../helpers/login-flow.js';
import { driveLogin, makeRp, REDIRECT_URI } from './test-rp.js';

let idp: DevIdp;

beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('createRelyingParty: login', () => {
  it('builds an authorization request with code flow, PKCE S256, state, nonce and the configured scopes', async () => {
    const rp = makeRp(idp.issuer, { extra_auth_params: { prompt: 'login', state: 'attacker' } });
    const { url, pending } = await rp.beginLogin('/app');
    const u = new URL(url);
    expect(u.origin + u.pathname).toBe(`${idp.issuer}/auth`);
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('client_id')).toBe('gatehouse-test');
    expect(u.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(u.searchParams.get('scope')).toBe('openid profile email groups');
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('prompt')).toBe('login');
    // extra_auth_params cannot override protocol parameters
    expect(u.searchParams.getAll('state')).toEqual([pending.state]);
    expect(u.searchParams.get('nonce')).toBe(pending.nonce);
    expect(pending).toMatchObject({ idpId: 'dev', returnTo: '/app' });
    expect(pending.codeVerifier.length).toBeGreaterThanOrEqual(43);
    const second = await rp.beginLogin('/app');
    expect(second.pending.state).not.toBe(pending.state);
    expect(second.pending.nonce).not.toBe(pending.nonce);
  });

  it('completes a login end to end through the IdP login form and maps the claims', async () => {
    const rp = makeRp(idp.issuer);
    const { pending, callbackUrl, flow } = await driveLogin(rp);
    expect(flow.submittedLogin).toBe(true);
    const { identity, tokens } = await rp.completeLogin(callbackUrl, pending);
    expect(identity).toMatchObject({
      issuer: idp.issuer,
      sub: 'b8f3a1c2-5d4e-4f6a-9b7c-0a1b2c3d4e5f',
      user: 'b8f3a1c2-5d4e-4f6a-9b7c-0a1b2c3d4e5f',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Liddell',
      preferredUsername: 'alice',
      groups: ['engineering', 'admins'],
      roles: [],
      amr: ['pwd'],
    });
    expect(identity.authTime).toBeTypeOf('number');
    expect(Math.abs(identity.authTime! - Date.now() / 1000)).toBeLessThan(60);
    expect(tokens.accessToken).toBeTypeOf('string');
    expect(tokens.refreshToken).toBeTypeOf('string');
    expect(tokens.idToken).toBeTypeOf('string');
    expect(tokens.expiresAt! - Date.now() / 1000).toBeGreaterThan(800);
    const idToken = decodeJwt(tokens.idToken!);
    expect(idToken.groups).toEqual(['engineering', 'admins']);
    expect(idToken.amr).toEqual(['pwd']);
  });

  it('maps bob with the user claim taken from preferred_username and merges userinfo', async () => {
    const rp = makeRp(idp.issuer, { use_userinfo: true, claims: { user: 'preferred_username' } });
    const { pending, callbackUrl } = await driveLogin(rp, 'bob', 'builder');
    const { identity } = await rp.completeLogin(callbackUrl, pending);
    expect(identity).toMatchObject({
      user: 'bob',
      email: 'bob@example.com',
      name: 'Bob Builder',
      groups: ['sales'],
    });
  });

  it('keeps the user on the login form when the password is wrong', async () => {
    const rp = makeRp(idp.issuer);
    const { url } = await rp.beginLogin('/');
    const flow = await loginThroughIdp(url, 'alice', 'not-the-password', {
      stopAt: (u) => u.href.startsWith(REDIRECT_URI),
    });
    expect(flow.stoppedAt).toBeUndefined();
    expect(flow.loginRejected).toBe(true);
    expect(flow.response.status).toBe(200);
    expect(flow.response.body).toContain('Wrong username or password');
    expect(flow.response.body).toContain('value="alice"');
  });

  it('does not sign in an unknown user', async () => {
    const rp = makeRp(idp.issuer);
    const { url } = await rp.beginLogin('/');
    const flow = await loginThroughIdp(url, 'mallory', 'wonderland', {
      stopAt: (u) => u.href.startsWith(REDIRECT_URI),
    });
    expect(flow.loginRejected).toBe(true);
  });

  it('skips the form when the IdP session already exists (SSO)', async () => {
    const rp = makeRp(idp.issuer);
    const session = new HttpSession();
    await driveLogin(rp, 'alice', 'wonderland', session);
    const again = await driveLogin(rp, 'alice', 'wonderland', session);
    expect(again.flow.submittedLogin).toBe(false);
    const { identity } = await rp.completeLogin(again.callbackUrl, again.pending);
    expect(identity.preferredUsername).toBe('alice');
  });
});

describe('createRelyingParty: callback validation', () => {
  it('rejects a callback whose state differs from the pending login (ERR_OIDC_STATE_MISMATCH)', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const other = await rp.beginLogin('/');
    const err = await rejection(rp.completeLogin(a.callbackUrl, other.pending));
    expect(isGatewayError(err, 'ERR_OIDC_STATE_MISMATCH')).toBe(true);
  });

  it('rejects a callback without state and one with a repeated state', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const noState = new URL(a.callbackUrl);
    noState.searchParams.delete('state');
    expect(
      isGatewayError(
        await rejection(rp.completeLogin(noState, a.pending)),
        'ERR_OIDC_STATE_MISMATCH',
      ),
    ).toBe(true);
    const twice = new URL(a.callbackUrl);
    twice.searchParams.append('state', a.pending.state);
    expect(
      isGatewayError(
        await rejection(rp.completeLogin(twice, a.pending)),
        'ERR_OIDC_STATE_MISMATCH',
      ),
    ).toBe(true);
  });

  it('rejects a pending login of another IdP and an expired pending login', async () => {
    const clock = new ManualClock(Date.now());
    const rp = makeRp(idp.issuer, {}, { clock });
    const a = await driveLogin(rp);
    const foreign = { ...a.pending, idpId: 'other' };
    expect(
      isGatewayError(
        await rejection(rp.completeLogin(a.callbackUrl, foreign)),
        'ERR_OIDC_STATE_MISMATCH',
      ),
    ).toBe(true);
    clock.advance(601_000);
    expect(
      isGatewayError(
        await rejection(rp.completeLogin(a.callbackUrl, a.pending)),
        'ERR_OIDC_STATE_MISMATCH',
      ),
    ).toBe(true);
  });

  it('rejects a tampered authorization code (ERR_OIDC_CALLBACK_INVALID)', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const tampered = new URL(a.callbackUrl);
    tampered.searchParams.set('code', `${tampered.searchParams.get('code') ?? ''}x`);
    const err = await rejection(rp.completeLogin(tampered, a.pending));
    expect(isGatewayError(err, 'ERR_OIDC_CALLBACK_INVALID')).toBe(true);
  });

  it('rejects a replayed callback: the code is single-use', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    await rp.completeLogin(a.callbackUrl, a.pending);
    const err = await rejection(rp.completeLogin(a.callbackUrl, a.pending));
    expect(isGatewayError(err, 'ERR_OIDC_CALLBACK_INVALID')).toBe(true);
  });

  it('rejects an ID token whose nonce belongs to another login (nonce replay)', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const err = await rejection(
      rp.completeLogin(a.callbackUrl, { ...a.pending, nonce: 'nonce-of-another-login' }),
    );
    expect(isGatewayError(err, 'ERR_OIDC_TOKEN_INVALID')).toBe(true);
  });

  it('rejects a callback from another issuer (RFC 9207 iss) and keeps the code out of the error', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const forged = new URL(a.callbackUrl);
    forged.searchParams.set('iss', 'https://evil.example');
    const err = await rejection(rp.completeLogin(forged, a.pending));
    expect(isGatewayError(err, 'ERR_OIDC_CALLBACK_INVALID')).toBe(true);
    const code = a.callbackUrl.searchParams.get('code')!;
    const dump = inspect(err, { depth: 20, showHidden: true });
    expect(dump).not.toContain(code);
  });

  it('rejects a code exchanged with another PKCE verifier', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const other = await rp.beginLogin('/');
    const err = await rejection(
      rp.completeLogin(a.callbackUrl, { ...a.pending, codeVerifier: other.pending.codeVerifier }),
    );
    expect(isGatewayError(err, 'ERR_OIDC_CALLBACK_INVALID')).toBe(true);
  });

  it('turns an IdP error response into ERR_OIDC_CALLBACK_INVALID without echoing its description', async () => {
    const rp = makeRp(idp.issuer);
    const { pending } = await rp.beginLogin('/');
    const cb = new URL(REDIRECT_URI);
    cb.searchParams.set('error', 'access_denied');
    cb.searchParams.set('error_description', '<script>alert(1)</script>');
    cb.searchParams.set('state', pending.state);
    cb.searchParams.set('iss', idp.issuer);
    const err = await rejection(rp.completeLogin(cb, pending));
    expect(isGatewayError(err, 'ERR_OIDC_CALLBACK_INVALID')).toBe(true);
    expect((err as Error).message).toContain('access_denied');
    expect((err as Error).message).not.toContain('script');
  });

  it('rejects an ID token when the clock is far ahead of the token times (clock is injected at discovery)', async () => {
    const clock = new ManualClock(Date.now() + 3 * 3600_000);
    const rp = makeRp(idp.issuer, {}, { clock, pendingMaxAgeSeconds: 600 });
    const a = await driveLogin(rp);
    const err = await rejection(rp.completeLogin(a.callbackUrl, a.pending));
    expect(isGatewayError(err, 'ERR_OIDC_TOKEN_INVALID')).toBe(true);
  });

  it('fails the login when the configured user claim is missing', async () => {
    const rp = makeRp(idp.issuer, { claims: { user: 'employee_id' } });
    const a = await driveLogin(rp);
    const err = await rejection(rp.completeLogin(a.callbackUrl, a.pending));
    expect(isGatewayError(err, 'ERR_OIDC_TOKEN_INVALID')).toBe(true);
  });
});
