import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { GatewayError, type Clock, type Identity, type Logger } from '../core/index.js';
import type { BearerConfig, IdentityProviderConfig } from '../config/index.js';
import { fromJoseError, invalidToken } from './bearer-errors.js';
import { mapClaimsToIdentity } from './claim-mapping.js';
import { clientAuthentication } from './client-auth.js';
import { LazyValue } from './lazy-value.js';
import { toOidcError } from './oidc-errors.js';
import { SingleFlight } from './single-flight.js';

/** A verified access token. */
export interface BearerVerification {
  /** The caller, mapped from the token's claims like an ID token (`claims:` of the provider). */
  readonly identity: Identity;
  /** OAuth scopes (`scope`, or `scp` as Azure AD sends it). */
  readonly scopes: readonly string[];
  /** `exp`, seconds since the epoch, when the token has one. */
  readonly expiresAt: number | undefined;
  /** A stable, non-secret id of the token (SHA-256, base64url, 22 chars), for caches and logs. */
  readonly tokenId: string;
}

/** Verifies one identity provider's access tokens. */
export interface BearerVerifier {
  readonly idpId: string;
  /**
   * Verifies `token`: a JWT (three dot-separated parts) with jose against the provider's
   * JWKS, else through RFC 7662 introspection when configured. Results are cached: JWTs
   * until `exp`, introspection answers for `introspection.cache_ttl` (at most until `exp`).
   * @throws GatewayError `ERR_OIDC_TOKEN_INVALID` (`details.bearerError: "invalid_token"`)
   *   for a token that is malformed, expired, not yet valid, from another issuer, for another
   *   audience, signed with an algorithm not allowed or an unknown key, or inactive;
   *   `ERR_OIDC_DISCOVERY_FAILED` / `ERR_OIDC_PROVIDER_ERROR` when the provider cannot be asked.
   */
  verify(token: string): Promise<BearerVerification>;
}

/** Dependencies and options of {@link createBearerVerifier}. */
export interface BearerVerifierDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Allow `http://` issuers and endpoints (loopback development). Default false. */
  readonly allowInsecureHttp?: boolean;
  /** Timeout of each request to the provider, in milliseconds. Default 10000. */
  readonly fetchTimeoutMs?: number;
  /** Verified tokens kept in memory (least recently used evicted). Default 10 000. */
  readonly cacheSize?: number;
  /**
   * After a JWKS fetch, no other fetch for this many milliseconds, even for an unknown `kid`
   * (rate limit of re-fetches). Default 30 000.
   */
  readonly jwksCooldownMs?: number;
  /** JWKS kept for this many milliseconds before it is fetched again. Default 600 000. */
  readonly jwksMaxAgeMs?: number;
}

interface Cached {
  readonly result: BearerVerification | GatewayError;
  /** Milliseconds since the epoch. */
  readonly until: number;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function scopesOf(claims: Readonly<Record<string, unknown>>): string[] {
  const raw = claims.scope ?? claims.scp;
  const list = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw : [];
  return [...new Set(list.filter((s): s is string => typeof s === 'string' && s !== ''))];
}

function identityOf(cfg: IdentityProviderConfig, claims: Readonly<Record<string, unknown>>): Identity {
  try {
    return mapClaimsToIdentity(claims, cfg.claims, cfg.issuer);
  } catch (err) {
    throw invalidToken(err instanceof GatewayError ? err.message.replace('identity provider returned', 'access token has') : 'the access token has no usable subject');
  }
}

/**
 * Creates the access-token verifier of one identity provider (its `bearer:` section):
 * JWT access tokens (RFC 9068 or any JWT) checked with jose for signature against the
 * provider's JWKS, `iss` equal to the provider's issuer, `aud` naming one of
 * `bearer.audience`, `exp` (required), `nbf`, `sub` (required), and `alg` in
 * `bearer.algorithms` (asymmetric only: `none` and HMAC are never accepted). The JWKS
 * (discovered `jwks_uri` unless `bearer.jwks_uri`) is cached and fetched again for an
 * unknown `kid`, at most once per `jwksCooldownMs`. Opaque tokens go to the introspection
 * endpoint (RFC 7662) when `bearer.introspection` is set: `active` must be true, and `iss`,
 * `aud`, `exp`, `nbf` are checked when present. Token time checks use the injected clock.
 * Nothing connects until the first `verify`.
 * @throws GatewayError `ERR_CONFIG_INVALID` when the provider has no `bearer:` section.
 * @see RFC 6750, RFC 9068 §4, RFC 7662 §2, RFC 8725 §3.1 (algorithm verification)
 */
export function createBearerVerifier(cfg: IdentityProviderConfig, deps: BearerVerifierDeps): BearerVerifier {
  const bearer: BearerConfig | undefined = cfg.bearer;
  if (bearer === undefined) throw new GatewayError('ERR_CONFIG_INVALID', `identity provider ${cfg.id} has no bearer: section`);
  const { clock } = deps;
  const logger = deps.logger.child({ component: 'bearer', idp: cfg.id });
  const timeoutSeconds = Math.max(1, Math.ceil((deps.fetchTimeoutMs ?? 10_000) / 1000));
  const insecure = deps.allowInsecureHttp === true;
  const cache = new LRUCache<string, Cached>({ max: deps.cacheSize ?? 10_000 });
  const flights = new SingleFlight<string, BearerVerification>();
  const introspection = bearer.introspection;

  // eslint-disable-next-line @typescript-eslint/no-deprecated -- plain http is opt-in, for loopback development
  const execute = insecure ? { execute: [client.allowInsecureRequests] } : {};
  const discovery = new LazyValue<client.Configuration>(
    async () => {
      try {
        return await client.discovery(
          new URL(cfg.issuer),
          introspection?.client_id ?? cfg.client_id,
          {},
          clientAuthentication(introspection?.client_secret ?? cfg.client_secret),
          { timeout: timeoutSeconds, ...execute },
        );
      } catch (err) {
        const error = toOidcError(err, 'discovery', cfg.issuer);
        logger.warn({ err: error.message, code: error.code }, 'discovery for bearer tokens failed');
        throw error;
      }
    },
    clock,
    2000,
  );

  const jwks = new LazyValue(
    async () => {
      const uri = bearer.jwks_uri ?? (await discovery.get()).serverMetadata().jwks_uri;
      if (uri === undefined) throw new GatewayError('ERR_OIDC_PROVIDER_ERROR', `${cfg.issuer} publishes no jwks_uri`);
      return createRemoteJWKSet(new URL(uri), {
        cooldownDuration: deps.jwksCooldownMs ?? 30_000,
        cacheMaxAge: deps.jwksMaxAgeMs ?? 600_000,
        timeoutDuration: timeoutSeconds * 1000,
      });
    },
    clock,
    2000,
  );

  const introspectionConfig = new LazyValue<client.Configuration>(
    async () => {
      if (introspection?.endpoint === undefined) return discovery.get();
      const config = new client.Configuration(
        { issuer: cfg.issuer, introspection_endpoint: introspection.endpoint },
        introspection.client_id ?? cfg.client_id,
        {},
        clientAuthentication(introspection.client_secret ?? cfg.client_secret),
      );
      config.timeout = timeoutSeconds;
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- plain http is opt-in, for loopback development
      if (insecure) client.allowInsecureRequests(config);
      return config;
    },
    clock,
    2000,
  );

  const tokenIdOf = (token: string): string => createHash('sha256').update(token).digest('base64url').slice(0, 22);

  async function verifyJwt(token: string, tokenId: string): Promise<{ result: BearerVerification; until: number }> {
    let payload: JWTPayload;
    try {
      // A token whose header does not decode is the client's fault (401), never a provider error.
      decodeProtectedHeader(token);
    } catch (err) {
      throw invalidToken('the access token is malformed', err);
    }
    try {
      const keys = await jwks.get();
      ({ payload } = await jwtVerify(token, keys, {
        issuer: cfg.issuer,
        audience: [...(bearer?.audience ?? [])],
        algorithms: [...(bearer?.algorithms ?? [])],
        clockTolerance: bearer?.clock_tolerance ?? 30,
        currentDate: new Date(clock.now()),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw fromJoseError(err, cfg.issuer);
    }
    const result = { identity: identityOf(cfg, payload), scopes: scopesOf(payload), expiresAt: payload.exp, tokenId };
    return { result, until: (payload.exp ?? 0) * 1000 };
  }

  async function introspect(token: string, tokenId: string): Promise<{ result: BearerVerification | GatewayError; until: number }> {
    if (introspection === undefined) throw invalidToken('the access token is not a JWT');
    const ttlMs = introspection.cache_ttl * 1000;
    let res: client.IntrospectionResponse;
    try {
      res = await client.tokenIntrospection(await introspectionConfig.get(), token, { token_type_hint: 'access_token' });
    } catch (err) {
      const error = toOidcError(err, 'userinfo', cfg.issuer);
      logger.warn({ err: error.message, code: error.code, tokenId }, 'token introspection failed');
      throw new GatewayError('ERR_OIDC_PROVIDER_ERROR', `token introspection at ${cfg.issuer} failed`, { cause: error });
    }
    const now = clock.now() / 1000;
    const tolerance = bearer?.clock_tolerance ?? 30;
    const audiences = typeof res.aud === 'string' ? [res.aud] : (res.aud ?? []);
    const problem =
      !res.active
        ? 'the access token is not active'
        : res.iss !== undefined && res.iss !== cfg.issuer
          ? 'the access token is from another issuer'
          : res.exp !== undefined && res.exp + tolerance <= now
            ? 'the access token has expired'
            : res.nbf !== undefined && res.nbf - tolerance > now
              ? 'the access token is not valid yet'
              : audiences.length > 0 && !audiences.some((a) => bearer?.audience.includes(a))
                ? 'the access token is not for this audience'
                : res.token_type !== undefined && /refresh/i.test(res.token_type)
                  ? 'a refresh token is not an access token'
                  : undefined;
    const until = Math.min(clock.now() + ttlMs, res.exp === undefined ? Infinity : res.exp * 1000);
    if (problem !== undefined) return { result: invalidToken(problem), until: clock.now() + ttlMs };
    const claims = { ...res, iss: res.iss ?? cfg.issuer } as Record<string, unknown>;
    return { result: { identity: identityOf(cfg, claims), scopes: scopesOf(claims), expiresAt: res.exp, tokenId }, until };
  }

  return {
    idpId: cfg.id,
    async verify(token) {
      if (token === '' || token.length > 16_384 || !B64TOKEN.test(token)) throw invalidToken('the access token is malformed');
      const tokenId = tokenIdOf(token);
      const hit = cache.get(tokenId);
      if (hit !== undefined && clock.now() < hit.until) {
        if (hit.result instanceof GatewayError) throw hit.result;
        return hit.result;
      }
      if (hit !== undefined) cache.delete(tokenId);
      return flights.run(tokenId, async () => {
        const { result, until } = COMPACT_JWS.test(token) ? await verifyJwt(token, tokenId) : await introspect(token, tokenId);
        if (until > clock.now()) cache.set(tokenId, { result, until });
        if (result instanceof GatewayError) throw result;
        return result;
      });
    },
  };
}
