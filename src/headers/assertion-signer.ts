import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { GatewayError, epochSeconds, type Clock, type Identity } from '../core/index.js';
import type { KeyStore } from './key-store.js';
import type { AssertionAlgorithm } from './signing-key.js';

/** Options of {@link createAssertionSigner}. */
export interface AssertionSignerOptions {
  /** `iss` of every assertion: the gateway's public URL. */
  readonly issuer: string;
  /** Signing keys; the current key signs. */
  readonly keys: KeyStore;
  readonly clock: Clock;
  /** Assertion lifetime in seconds (`exp - iat`). Default 300. At least 10. */
  readonly ttlSeconds?: number;
  /** The algorithm; must be the key store's. */
  readonly algorithm: AssertionAlgorithm;
  /** Maximum cached assertions (least recently used evicted). Default 10 000. */
  readonly cacheSize?: number;
}

/** What one assertion is about. */
export interface AssertionRequest {
  readonly identity: Identity;
  /** `aud`: the route's audience (usually the upstream's origin or an id the app expects). */
  readonly audience: string;
  /**
   * `sid`: the session handle (never the session id, which is a secret). Also the cache key
   * of the assertion, together with the audience.
   */
  readonly sessionHandle: string;
  /**
   * Whether to put `sid` in the assertion. Default true. False for callers without a
   * session (bearer tokens), whose `sessionHandle` is only a cache key.
   */
  readonly includeSid?: boolean;
}

/** Signs identity assertions for upstreams. */
export interface AssertionSigner {
  /** Lifetime of an assertion, in seconds. */
  readonly ttlSeconds: number;
  /**
   * The signed assertion (compact JWS) for `request`. Reuses a cached assertion of the same
   * (session handle, audience) while it is more than `min(60, ttl/2)` seconds from expiry,
   * was signed by the current key, and the identity's claims are unchanged; signs anew
   * otherwise. Concurrent calls share one signature.
   * @throws GatewayError `ERR_INTERNAL` when `audience` or `sessionHandle` is empty.
   */
  sign(request: AssertionRequest): Promise<string>;
}

interface Entry {
  readonly token: Promise<string>;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly kid: string;
  readonly claims: string;
}

/**
 * The identity part of the claims (all but iss/aud/sid/iat/exp/jti). Besides the claims
 * named in the assertion format it carries `idp` (the IdP issuer: `sub` is only unique
 * per IdP, OIDC Core §5.7), `preferred_username` and `acr` when present.
 */
function identityClaims(identity: Identity): JWTPayload {
  return {
    sub: identity.sub,
    idp: identity.issuer,
    ...(identity.email === undefined ? {} : { email: identity.email }),
    ...(identity.emailVerified === undefined ? {} : { email_verified: identity.emailVerified }),
    ...(identity.name === undefined ? {} : { name: identity.name }),
    ...(identity.preferredUsername === undefined ? {} : { preferred_username: identity.preferredUsername }),
    groups: [...identity.groups],
    roles: [...identity.roles],
    amr: [...identity.amr],
    ...(identity.acr === undefined ? {} : { acr: identity.acr }),
    ...(identity.authTime === undefined ? {} : { auth_time: identity.authTime }),
  };
}

/**
 * Creates the signer of the identity assertion header: a JWT with `iss`, `aud` (per
 * route), `sub`, `idp`, `email`, `name`, `preferred_username`, `groups`, `roles`, `amr`,
 * `acr`, `auth_time`, `sid` (session handle), `iat`, `exp`, `jti`, and header `alg`,
 * `kid`, `typ: "JWT"`. Upstreams verify it against the gateway's JWKS
 * ({@link KeyStore.publicJwks}), checking `iss`, `aud` and `exp`.
 *
 * Signing is cached per (session handle, audience) in a bounded LRU so it does not sign
 * per request; see {@link AssertionSigner.sign}.
 * @throws GatewayError `ERR_CONFIG_INVALID` when `algorithm` is not the key store's, `issuer`
 *   is empty, or `ttlSeconds`/`cacheSize` are out of range.
 * @see RFC 7519 §4.1 (registered claims), RFC 8176 (amr), OIDC Core §2 (auth_time, acr)
 */
export function createAssertionSigner(options: AssertionSignerOptions): AssertionSigner {
  const { issuer, keys, clock, algorithm } = options;
  const ttl = options.ttlSeconds ?? 300;
  const cacheSize = options.cacheSize ?? 10_000;
  if (issuer === '') throw new GatewayError('ERR_CONFIG_INVALID', 'assertion issuer must not be empty');
  if (!Number.isInteger(ttl) || ttl < 10) throw new GatewayError('ERR_CONFIG_INVALID', 'assertion ttl must be an integer of at least 10 seconds');
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new GatewayError('ERR_CONFIG_INVALID', 'assertion cache size must be a positive integer');
  if (keys.algorithm !== algorithm) {
    throw new GatewayError('ERR_CONFIG_INVALID', `assertion algorithm ${algorithm} does not match the key store's ${keys.algorithm}`);
  }
  /** Seconds before `exp` at which a cached assertion is no longer handed out. */
  const margin = Math.min(60, Math.floor(ttl / 2));
  const cache = new LRUCache<string, Entry>({ max: cacheSize });
  const fingerprints = new WeakMap<Identity, { claims: JWTPayload; text: string }>();

  const claimsOf = (identity: Identity): { claims: JWTPayload; text: string } => {
    let f = fingerprints.get(identity);
    if (f === undefined) {
      const claims = identityClaims(identity);
      f = { claims, text: JSON.stringify(claims) };
      fingerprints.set(identity, f);
    }
    return f;
  };

  return {
    ttlSeconds: ttl,
    sign({ identity, audience, sessionHandle, includeSid = true }) {
      if (audience === '' || sessionHandle === '') {
        return Promise.reject(new GatewayError('ERR_INTERNAL', 'assertion needs an audience and a session handle'));
      }
      const now = epochSeconds(clock);
      const key = keys.current();
      const { claims, text } = claimsOf(identity);
      const cacheKey = `${includeSid ? 's' : 'n'}${sessionHandle.length}:${sessionHandle}${audience}`;
      const hit = cache.get(cacheKey);
      if (hit !== undefined && now < hit.exp - margin && hit.kid === key.kid && hit.claims === text) return hit.token;

      const exp = now + ttl;
      const token = new SignJWT(includeSid ? { ...claims, sid: sessionHandle } : claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key.privateKey);
      const entry: Entry = { token, exp, kid: key.kid, claims: text };
      cache.set(cacheKey, entry);
      token.catch(() => {
        if (cache.peek(cacheKey) === entry) cache.delete(cacheKey);
      });
      return token;
    },
  };
}
