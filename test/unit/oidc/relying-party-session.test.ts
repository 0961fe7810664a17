import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGatewayError, ManualClock, type Identity } from '../../../src/core/index.js';
import type { DevIdp } from '../../../src/demo/index.js';
import { createRelyingParties } from '../../../src/oidc/index.js';
import { countTokenRequests, startTestIdp } from '../../helpers/dev-idp.js';
import { confirmIdpLogout, HttpSession } from '../../helpers/login-flow.js';
import { driveLogin, idpConfig, makeRp, REDIRECT_URI } from './test-rp.js';
import { silentLogger, systemClock } from '../../../src/core/index.js';

let idp: DevIdp;

beforeAll(async () => {
  // Access tokens that expire in 2 s, as a gateway would see before refreshing.
  idp = await startTestIdp({ ttl: { accessToken: 2 } });
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

describe('refresh', () => {
  it('refreshes short-lived tokens, rotates the refresh token and keeps the identity', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const login = await rp.completeLogin(a.callbackUrl, a.pending);
    expect(login.tokens.expiresAt! - Date.now() / 1000).toBeLessThanOrEqual(2);
    const refreshed = await rp.refresh(login.tokens, login.identity);
    expect(refreshed.tokens.accessToken).not.toBe(login.tokens.accessToken);
    expect(refreshed.tokens.refreshToken).toBeTypeOf('string');
    expect(refreshed.tokens.refreshToken).not.toBe(login.tokens.refreshToken);
    expect(refreshed.tokens.idToken).toBeTypeOf('string');
    expect(refreshed.identity).toMatchObject({
      sub: login.identity.sub,
      email: 'alice@example.com',
      groups: ['engineering', 'admins'],
    });
  });

  it('shares one token request between concurrent refreshes of the same refresh token (single-flight)', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const login = await rp.completeLogin(a.callbackUrl, a.pending);
    const counter = countTokenRequests(idp);
    try {
      const [r1, r2] = await Promise.all([
        rp.refresh(login.tokens, login.identity),
        rp.refresh(login.tokens, login.identity),
      ]);
      expect(counter.success + counter.error).toBe(1);
      expect(r1.tokens.accessToken).toBe(r2.tokens.accessToken);
      // The key is freed once settled: a later refresh with the new token sends a new request.
      await rp.refresh(r1.tokens, r1.identity);
      expect(counter.success).toBe(2);
    } finally {
      counter.stop();
    }
  });

  it('fails with ERR_OIDC_REFRESH_FAILED when a rotated refresh token is used again', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const login = await rp.completeLogin(a.callbackUrl, a.pending);
    await rp.refresh(login.tokens, login.identity);
    const err = await rejection(rp.refresh(login.tokens, login.identity));
    expect(isGatewayError(err, 'ERR_OIDC_REFRESH_FAILED')).toBe(true);
    expect((err as { details?: Record<string, unknown> }).details?.reason).toBe('rejected');
  });

  it('fails with ERR_OIDC_REFRESH_FAILED without a refresh token', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const login = await rp.completeLogin(a.callbackUrl, a.pending);
    const { refreshToken: _drop, ...noRefresh } = login.tokens;
    expect(
      isGatewayError(
        await rejection(rp.refresh(noRefresh, login.identity)),
        'ERR_OIDC_REFRESH_FAILED',
      ),
    ).toBe(true);
  });

  it('keeps what Gatehouse added to the identity (MFA time and amr, roles) across a refresh', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const login = await rp.completeLogin(a.callbackUrl, a.pending);
    const withMfa: Identity = {
      ...login.identity,
      amr: ['pwd', 'otp'],
      mfaTime: 1_800_000_000,
      roles: ['admin'],
    };
    const refreshed = await rp.refresh(login.tokens, withMfa);
    expect(refreshed.identity.mfaTime).toBe(1_800_000_000);
    expect(refreshed.identity.amr).toEqual(['pwd', 'otp']);
    expect(refreshed.identity.roles).toEqual(['admin']);
  });

  it('refuses a refreshed ID token about another subject', async () => {
    const rp = makeRp(idp.issuer);
    const a = await driveLogin(rp);
    const login = await rp.completeLogin(a.callbackUrl, a.pending);
    const err = await rejection(
      rp.refresh(login.tokens, { ...login.identity, sub: 'someone-else' }),
    );
    expect(isGatewayError(err, 'ERR_OIDC_REFRESH_FAILED')).toBe(true);
  });
});

describe('endSessionUrl', () => {
  it('builds the RP-initiated logout URL, which ends the IdP session', async () => {
    const rp = makeRp(idp.issuer);
    const session = new HttpSession();
    const a = await driveLogin(rp, 'alice', 'wonderland', session);
    const login = await rp.completeLogin(a.callbackUrl, a.pending);
    const url = await rp.endSessionUrl(login.tokens.idToken, 'http://gateway.test/');
    expect(url).toBeDefined();
    const u = new URL(url!);
    expect(`${u.origin}${u.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(u.searchParams.get('id_token_hint')).toBe(login.tokens.idToken);
    expect(u.searchParams.get('post_logout_redirect_uri')).toBe('http://gateway.test/');
    expect(u.searchParams.get('client_id')).toBe('gatehouse-test');

    const out = await confirmIdpLogout(session, u, {
      stopAt: (x) => x.origin === 'http://gateway.test',
    });
    expect(out.stoppedAt?.href).toBe('http://gateway.test/');
    // The IdP session is gone: the next login shows the form again.
    const again = await driveLogin(rp, 'alice', 'wonderland', session);
    expect(again.flow.submittedLogin).toBe(true);
  });

  it('omits id_token_hint when none is given', async () => {
    const rp = makeRp(idp.issuer);
    const url = new URL((await rp.endSessionUrl(undefined, 'http://gateway.test/'))!);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
  });

  it('is undefined when the IdP has no end_session_endpoint', async () => {
    // A metadata-only server: the dev IdP always offers logout, this IdP shape does not.
    const server = createServer((_req, res) => {
      const { port } = server.address() as AddressInfo;
      const issuer = `http://127.0.0.1:${port}`;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const rp = makeRp(`http://127.0.0.1:${port}`);
      expect(await rp.endSessionUrl('x', 'http://gateway.test/')).toBeUndefined();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});

describe('discovery', () => {
  it('fails quickly with ERR_OIDC_DISCOVERY_FAILED on a dead port, then recovers after the retry delay', async () => {
    const port = await freePort();
    const clock = new ManualClock(Date.now());
    const rp = makeRp(`http://127.0.0.1:${port}`, {}, { clock, discoveryRetryMs: 2000 });
    const started = Date.now();
    const err = await rejection(rp.ping());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(isGatewayError(err, 'ERR_OIDC_DISCOVERY_FAILED')).toBe(true);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(isGatewayError(await rejection(rp.beginLogin('/')), 'ERR_OIDC_DISCOVERY_FAILED')).toBe(
      true,
    );

    const late = await startTestIdp({ port });
    try {
      // Within the retry delay the cached failure is returned without a new request.
      expect(isGatewayError(await rejection(rp.ping()), 'ERR_OIDC_DISCOVERY_FAILED')).toBe(true);
      clock.advance(2001);
      await expect(rp.ping()).resolves.toBeUndefined();
      const { url } = await rp.beginLogin('/');
      expect(url.startsWith(`${late.issuer}/auth?`)).toBe(true);
    } finally {
      await late.close();
    }
  });

  it('fails when the discovered issuer differs from the configured one', async () => {
    const rp = makeRp(idp.issuer.replace('127.0.0.1', 'localhost'));
    expect(isGatewayError(await rejection(rp.ping()), 'ERR_OIDC_DISCOVERY_FAILED')).toBe(true);
  });

  it('refuses an http issuer unless allowInsecureHttp is set, and a redirect URI with a query', () => {
    expect(() => makeRp(idp.issuer, {}, { allowInsecureHttp: false })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
    );
    expect(() => makeRp(idp.issuer, {}, { redirectUri: `${REDIRECT_URI}?x=1` })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
    );
  });
});

describe('createRelyingParties', () => {
  const deps = {
    clock: systemClock,
    redirectUri: REDIRECT_URI,
    logger: silentLogger,
    allowInsecureHttp: true,
  };

  it('creates one relying party per IdP, keyed by id, in order', () => {
    const parties = createRelyingParties(
      [idpConfig(idp.issuer), idpConfig(idp.issuer, { id: 'second' })],
      deps,
    );
    expect([...parties.keys()]).toEqual(['dev', 'second']);
    expect(parties.get('second')?.issuer).toBe(idp.issuer);
  });

  it('rejects duplicate ids', () => {
    expect(() =>
      createRelyingParties([idpConfig(idp.issuer), idpConfig(idp.issuer)], deps),
    ).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });
});
