/**
 * Bearer access-token verification against a small real authorization server on loopback
 * (discovery, JWKS and RFC 7662 introspection endpoints that count their requests), with
 * tokens minted by jose. A real server rather than mocks: the verifier's caching and rate
 * limiting are about HTTP requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identityProviderSchema } from '../../../src/config/index.js';
import { ManualClock, silentLogger } from '../../../src/core/index.js';
import { createBearerVerifier, type BearerVerifier } from '../../../src/oidc/index.js';

interface Key {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function key(kid: string, alg: 'RS256' | 'ES256'): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let server: Server;
let issuer: string;
const counts = { jwks: 0, introspect: 0 };
let published: Key[] = [];
const introspection = new Map<string, Record<string, unknown>>();
let introspectionStatus = 200;
let rsa: Key;
let ec: Key;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  rsa = await key('rsa-1', 'RS256');
  ec = await key('ec-1', 'ES256');
  server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      send(200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        introspection_endpoint: `${issuer}/introspect`,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    } else if (req.url === '/jwks') {
      counts.jwks++;
      send(200, { keys: published.map((k) => k.jwk) });
    } else if (req.url === '/introspect' && req.method === 'POST') {
      counts.introspect++;
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.headers.authorization !== `Basic ${Buffer.from('gatehouse:secret').toString('base64')}`) {
          send(401, { error: 'invalid_client' });
          return;
        }
        const token = new URLSearchParams(body).get('token') ?? '';
        send(introspectionStatus, introspection.get(token) ?? { active: false });
      });
    } else {
      send(404, {});
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function verifier(bearer: Record<string, unknown> = {}, jwksCooldownMs?: number): BearerVerifier {
  const cfg = identityProviderSchema.parse({
    id: 'corp',
    issuer,
    client_id: 'gatehouse',
    client_secret: 'secret',
    claims: { groups: 'groups' },
    bearer: { audience: 'https://api.example', introspection: { cache_ttl: 30 }, ...bearer },
  });
  return createBearerVerifier(cfg, { clock, logger: silentLogger, allowInsecureHttp: true, ...(jwksCooldownMs === undefined ? {} : { jwksCooldownMs }) });
}

function mint(k: Key, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  return new SignJWT({ sub: 'user-1', scope: 'api:read api:write', email: 'u@example.com', groups: ['staff'], ...claims })
    .setProtectedHeader({ alg: k.alg, kid: k.kid, typ: 'at+jwt', ...header })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
    .setAudience((claims.aud as string | undefined) ?? 'https://api.example')
    .setIssuedAt(now)
    .setExpirationTime((claims.exp) ?? now + 300)
    .sign(k.privateKey);
}

beforeEach(() => {
  counts.jwks = 0;
  counts.introspect = 0;
  published = [rsa, ec];
  introspectionStatus = 200;
});

describe('bearer verifier: JWT access tokens', () => {
  it('verifies signature, iss, aud, exp and maps claims and scopes; JWKS and result are cached', async () => {
    const v = verifier();
    const token = await mint(rsa);
    const result = await v.verify(token);
    expect(result.identity).toMatchObject({ sub: 'user-1', issuer, email: 'u@example.com', groups: ['staff'] });
    expect(result.scopes).toEqual(['api:read', 'api:write']);
    expect(result.tokenId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await v.verify(token);
    await v.verify(await mint(ec));
    expect(counts.jwks).toBe(1);
  });

  it('fetches the JWKS again for an unknown kid (the IdP rotated its keys)', async () => {
    // Cooldown 0 here: jose measures it with the real clock, and this test must not sleep.
    const v = verifier({}, 0);
    await v.verify(await mint(rsa));
    const rotated = await key('rsa-2', 'RS256');
    published = [rsa, rotated];
    await v.verify(await mint(rotated));
    expect(counts.jwks).toBe(2);
  });

  it('rate-limits re-fetches: within the cooldown an unknown kid is refused without a request', async () => {
    const v = verifier();
    await v.verify(await mint(rsa));
    expect(counts.jwks).toBe(1);
    const stranger = await key('rsa-3', 'RS256');
    await expect(v.verify(await mint(stranger))).rejects.toMatchObject({
      code: 'ERR_OIDC_TOKEN_INVALID',
      message: 'the access token is signed by an unknown key',
      details: { bearerError: 'invalid_token' },
    });
    await expect(v.verify(await mint(stranger, { sub: 'again' }))).rejects.toMatchObject({ code: 'ERR_OIDC_TOKEN_INVALID' });
    expect(counts.jwks).toBe(1); // rate limited: no fetch per unknown kid
  });

  it('accepts only the allowed algorithms, never none', async () => {
    const v = verifier({ algorithms: ['RS256'] });
    await expect(v.verify(await mint(ec))).rejects.toMatchObject({ message: 'the access token is signed with an algorithm that is not accepted' });
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64({ sub: 'x', iss: issuer, aud: 'https://api.example', exp: 2e9 })}.`;
    await expect(v.verify(none)).rejects.toMatchObject({ code: 'ERR_OIDC_TOKEN_INVALID' });
    const noneWithSig = `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64({ sub: 'x', iss: issuer, aud: 'https://api.example', exp: 2e9 })}.c2ln`;
    await expect(v.verify(noneWithSig)).rejects.toMatchObject({ code: 'ERR_OIDC_TOKEN_INVALID' });
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example' }, 'the access token is from another issuer'],
    ['another audience', { aud: 'https://other.example' }, 'the access token is not for this audience'],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 60 }, 'the access token has expired'],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 600 }, 'the access token is not valid yet'],
  ])('refuses a token from %s', async (_what, claims, message) => {
    await expect(verifier().verify(await mint(rsa, claims as JWTPayload))).rejects.toMatchObject({ code: 'ERR_OIDC_TOKEN_INVALID', message });
  });

  it('stops accepting a cached token when the clock passes its exp (plus tolerance)', async () => {
    const v = verifier({ clock_tolerance: 0 });
    const start = clock.now();
    const token = await mint(rsa);
    await v.verify(token);
    clock.advance(301_000);
    try {
      await expect(v.verify(token)).rejects.toMatchObject({ message: 'the access token has expired' });
    } finally {
      clock.set(start);
    }
  });

  it('reads Azure-style scp scopes; refuses malformed tokens before any request', async () => {
    const result = await verifier().verify(await mint(rsa, { scope: undefined, scp: ['files.read', 'files.write'] }));
    expect(result.scopes).toEqual(['files.read', 'files.write']);
    for (const bad of ['', 'a b', 'x'.repeat(20_000), 'ümlaut']) {
      await expect(verifier().verify(bad)).rejects.toMatchObject({ message: 'the access token is malformed' });
    }
  });

  it('answers a JWT-shaped token whose header does not decode as invalid_token, not a provider error (regression: 502)', async () => {
    for (const bad of ['aaa.bbb.ccc', 'eyJhbGciOi.e30.sig', 'e30.e30.e30']) {
      await expect(verifier().verify(bad)).rejects.toMatchObject({
        code: 'ERR_OIDC_TOKEN_INVALID',
        details: { bearerError: 'invalid_token' },
      });
    }
  });

  it('reports an unreachable JWKS as a provider error, not as an invalid token', async () => {
    const v = verifier({ jwks_uri: 'http://127.0.0.1:9/jwks' });
    await expect(v.verify(await mint(rsa))).rejects.toMatchObject({ code: 'ERR_OIDC_PROVIDER_ERROR' });
  });
});

describe('bearer verifier: opaque tokens through introspection (RFC 7662)', () => {
  it('accepts an active token and reuses the answer for cache_ttl', async () => {
    const now = Math.floor(clock.now() / 1000);
    introspection.set('opaque-1', { active: true, sub: 'user-2', scope: 'api:read', iss: issuer, exp: now + 3600, email: 'two@example.com' });
    const v = verifier();
    const r = await v.verify('opaque-1');
    expect(r.identity).toMatchObject({ sub: 'user-2', email: 'two@example.com' });
    expect(r.scopes).toEqual(['api:read']);
    await v.verify('opaque-1');
    expect(counts.introspect).toBe(1);
    const start = clock.now();
    clock.advance(31_000);
    try {
      await v.verify('opaque-1');
      expect(counts.introspect).toBe(2);
    } finally {
      clock.set(start);
    }
  });

  it('refuses inactive, expired, foreign and wrong-audience tokens, and caches refusals too', async () => {
    const now = Math.floor(clock.now() / 1000);
    introspection.set('expired', { active: true, sub: 'u', exp: now - 100 });
    introspection.set('foreign', { active: true, sub: 'u', iss: 'https://evil.example' });
    introspection.set('other-aud', { active: true, sub: 'u', aud: ['https://other.example'] });
    introspection.set('refresh', { active: true, sub: 'u', token_type: 'refresh_token' });
    const v = verifier();
    const cases: [string, string][] = [
      ['revoked', 'the access token is not active'],
      ['expired', 'the access token has expired'],
      ['foreign', 'the access token is from another issuer'],
      ['other-aud', 'the access token is not for this audience'],
      ['refresh', 'a refresh token is not an access token'],
    ];
    for (const [token, message] of cases) await expect(v.verify(token), token).rejects.toMatchObject({ code: 'ERR_OIDC_TOKEN_INVALID', message });
    const before = counts.introspect;
    await expect(v.verify('revoked')).rejects.toMatchObject({ code: 'ERR_OIDC_TOKEN_INVALID' });
    expect(counts.introspect).toBe(before);
  });

  it('fails closed with a provider error when introspection fails, and refuses opaque tokens without introspection', async () => {
    introspectionStatus = 500;
    await expect(verifier().verify('opaque-500')).rejects.toMatchObject({ code: 'ERR_OIDC_PROVIDER_ERROR' });
    const jwtOnly = createBearerVerifier(
      identityProviderSchema.parse({ id: 'x', issuer, client_id: 'gatehouse', bearer: { audience: 'https://api.example' } }),
      { clock, logger: silentLogger, allowInsecureHttp: true },
    );
    await expect(jwtOnly.verify('opaque-1')).rejects.toMatchObject({ message: 'the access token is not a JWT' });
  });
});
