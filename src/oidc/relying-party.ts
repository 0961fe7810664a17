import { timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { epochSeconds, GatewayError, type Identity } from '../core/index.js';
import type { IdentityProviderConfig } from '../config/index.js';
import type { LoginResult, OidcTokens, PendingLogin, RelyingParty } from './types.js';
import { mapClaimsToIdentity, mergeUserinfo } from './claim-mapping.js';
import { clientAuthentication } from './client-auth.js';
import { LazyValue } from './lazy-value.js';
import { SingleFlight } from './single-flight.js';
import { toOidcError } from './oidc-errors.js';
import {
  RESERVED_AUTH_PARAMS,
  validateSetup,
  type RelyingPartyDeps,
} from './relying-party-deps.js';

export type { RelyingPartyDeps } from './relying-party-deps.js';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Creates the relying party (RFC 6749 authorization code grant with PKCE, RFC 7636; OpenID
 * Connect Core 1.0) for one identity provider, on openid-client 6.
 *
 * - Discovery (OIDC Discovery §4) is lazy: on first use, shared by concurrent calls, kept once it
 *   succeeds, retried by later calls after `discoveryRetryMs` when it failed.
 * - Every protocol check (state, `iss`, code exchange, ID token signature and claims per OIDC
 *   Core §3.1.3.7, nonce, userinfo `sub`) is openid-client's.
 * - Time: openid-client validates token times against `Date.now()` plus a fixed `clockSkew`;
 *   it cannot call our clock. The skew is set to `clock.now() - Date.now()` when discovery
 *   succeeds, so a clock that moves later (tests' `ManualClock.advance`) does not move
 *   openid-client's time. Gatehouse's own times (`expiresAt`, pending login age) use the clock.
 *
 * @throws GatewayError `ERR_CONFIG_INVALID` for an http issuer without `allowInsecureHttp`, or a
 *   redirect URI that is not absolute or has a query/fragment.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export function createRelyingParty(
  cfg: IdentityProviderConfig,
  deps: RelyingPartyDeps,
): RelyingParty {
  validateSetup(cfg, deps);
  const { clock, redirectUri } = deps;
  const logger = deps.logger.child({ component: 'oidc', idp: cfg.id });
  const timeoutSeconds = Math.max(1, Math.ceil((deps.fetchTimeoutMs ?? 10_000) / 1000));
  const pendingMaxAge = deps.pendingMaxAgeSeconds ?? 600;
  const scopes = cfg.scopes.includes('openid') ? cfg.scopes : ['openid', ...cfg.scopes];
  const extraParams = Object.entries(cfg.extra_auth_params).filter(([key]) => {
    if (!RESERVED_AUTH_PARAMS.has(key)) return true;
    logger.warn({ param: key }, 'extra_auth_params cannot override a protocol parameter; ignored');
    return false;
  });

  const discovery = new LazyValue<client.Configuration>(
    async () => {
      try {
        const metadata: Partial<client.ClientMetadata> = {
          [client.clockSkew]: Math.round((clock.now() - Date.now()) / 1000),
          [client.clockTolerance]: deps.clockToleranceSeconds ?? 30,
        };
        const config = await client.discovery(
          new URL(cfg.issuer),
          cfg.client_id,
          metadata,
          clientAuthentication(cfg.client_secret),
          {
            timeout: timeoutSeconds,
            // Deprecated only as a warning sign: plain http is opt-in, for loopback development.
            // eslint-disable-next-line @typescript-eslint/no-deprecated
            ...(deps.allowInsecureHttp === true ? { execute: [client.allowInsecureRequests] } : {}),
          },
        );
        logger.info({ issuer: cfg.issuer }, 'OpenID Connect discovery succeeded');
        return config;
      } catch (err) {
        const error = toOidcError(err, 'discovery', cfg.issuer);
        logger.warn({ err: error.message, code: error.code }, 'OpenID Connect discovery failed');
        throw error;
      }
    },
    clock,
    deps.discoveryRetryMs ?? 2000,
  );
  const refreshes = new SingleFlight<string, LoginResult>();

  function toTokens(res: client.TokenEndpointResponse, previous?: OidcTokens): OidcTokens {
    const refreshToken = res.refresh_token ?? previous?.refreshToken;
    const idToken = res.id_token ?? previous?.idToken;
    const scope = res.scope ?? previous?.scope;
    return {
      accessToken: res.access_token,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      ...(idToken === undefined ? {} : { idToken }),
      ...(res.expires_in === undefined ? {} : { expiresAt: epochSeconds(clock) + res.expires_in }),
      ...(scope === undefined ? {} : { scope }),
    };
  }

  async function userClaims(
    config: client.Configuration,
    idClaims: Readonly<Record<string, unknown>>,
    accessToken: string,
    sub: string,
  ): Promise<Record<string, unknown>> {
    if (!cfg.use_userinfo) return { ...idClaims };
    try {
      const userinfo = await client.fetchUserInfo(config, accessToken, sub);
      return mergeUserinfo(idClaims, userinfo);
    } catch (err) {
      throw toOidcError(err, 'userinfo', cfg.issuer);
    }
  }

  async function doRefresh(
    refreshToken: string,
    tokens: OidcTokens,
    previous: Identity,
  ): Promise<LoginResult> {
    let config: client.Configuration;
    let res: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
    try {
      config = await discovery.get();
      res = await client.refreshTokenGrant(config, refreshToken);
    } catch (err) {
      const error = toOidcError(err, 'refresh', cfg.issuer);
      throw error.code === 'ERR_OIDC_REFRESH_FAILED'
        ? error
        : new GatewayError('ERR_OIDC_REFRESH_FAILED', 'refreshing the session failed', {
            cause: error,
            details: { issuer: cfg.issuer, reason: 'unavailable' },
          });
    }
    const newTokens = toTokens(res, tokens);
    const idClaims = res.claims();
    if (idClaims === undefined) return { identity: previous, tokens: newTokens };
    if (idClaims.sub !== previous.sub || idClaims.iss !== previous.issuer) {
      // OIDC Core §12.2: a refreshed ID token must be about the same user.
      throw new GatewayError(
        'ERR_OIDC_REFRESH_FAILED',
        'the refreshed ID token is about another subject',
        {
          details: { issuer: cfg.issuer, reason: 'subject-changed' },
        },
      );
    }
    let merged: Record<string, unknown>;
    try {
      merged = await userClaims(config, idClaims, res.access_token, previous.sub);
    } catch (err) {
      throw new GatewayError(
        'ERR_OIDC_REFRESH_FAILED',
        'refreshing the session failed (userinfo)',
        {
          cause: err,
          details: { issuer: cfg.issuer, reason: 'unavailable' },
        },
      );
    }
    const mapped = mapClaimsToIdentity(merged, cfg.claims, cfg.issuer);
    const identity: Identity = {
      ...mapped,
      // Keep what Gatehouse added on top of the IdP (MFA) and what the caller resolved (roles).
      roles: previous.roles,
      amr: Object.freeze([...new Set([...mapped.amr, ...previous.amr])]),
      ...(mapped.authTime === undefined && previous.authTime !== undefined
        ? { authTime: previous.authTime }
        : {}),
      ...(previous.mfaTime === undefined ? {} : { mfaTime: previous.mfaTime }),
    };
    logger.debug({ sub: identity.sub }, 'session refreshed');
    return { identity, tokens: newTokens };
  }

  return {
    id: cfg.id,
    issuer: cfg.issuer,

    async beginLogin(returnTo, options = {}) {
      const config = await discovery.get();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const codeVerifier = client.randomPKCECodeVerifier();
      const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
      const url = client.buildAuthorizationUrl(config, {
        ...Object.fromEntries(extraParams),
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: scopes.join(' '),
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        ...(options.reauthenticate === true ? { prompt: 'login' } : {}),
      });
      const pending: PendingLogin = {
        idpId: cfg.id,
        state,
        nonce,
        codeVerifier,
        returnTo,
        createdAt: epochSeconds(clock),
      };
      return { url: url.href, pending };
    },

    async completeLogin(callbackUrl, pending) {
      if (pending.idpId !== cfg.id) {
        throw new GatewayError(
          'ERR_OIDC_STATE_MISMATCH',
          'the sign-in response belongs to another identity provider',
        );
      }
      const age = epochSeconds(clock) - pending.createdAt;
      if (age > pendingMaxAge || age < -60) {
        throw new GatewayError(
          'ERR_OIDC_STATE_MISMATCH',
          'the sign-in attempt expired; please sign in again',
          {
            details: { ageSeconds: age },
          },
        );
      }
      // Classify a state mismatch up front for a precise error; openid-client checks it again.
      const states = callbackUrl.searchParams.getAll('state');
      if (states.length !== 1 || !sameSecret(states[0] ?? '', pending.state)) {
        throw new GatewayError(
          'ERR_OIDC_STATE_MISMATCH',
          'the sign-in response does not match this sign-in attempt',
        );
      }
      const config = await discovery.get();
      // The token request's redirect_uri must equal the authorization request's: use ours, with the callback's parameters.
      const current = new URL(redirectUri);
      current.search = callbackUrl.search;
      let res: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        res = await client.authorizationCodeGrant(config, current, {
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          pkceCodeVerifier: pending.codeVerifier,
          idTokenExpected: true,
        });
      } catch (err) {
        const error = toOidcError(err, 'callback', cfg.issuer);
        logger.warn(
          { code: error.code, err: error.message, details: error.details },
          'sign-in callback rejected',
        );
        throw error;
      }
      const idClaims = res.claims();
      if (idClaims === undefined) {
        throw new GatewayError(
          'ERR_OIDC_TOKEN_INVALID',
          'the identity provider returned no ID token',
        );
      }
      const merged = await userClaims(config, idClaims, res.access_token, idClaims.sub);
      const identity = mapClaimsToIdentity(merged, cfg.claims, cfg.issuer);
      logger.info({ sub: identity.sub, user: identity.user }, 'sign-in completed');
      return { identity, tokens: toTokens(res) };
    },

    refresh(tokens, previous) {
      const refreshToken = tokens.refreshToken;
      if (refreshToken === undefined || refreshToken === '') {
        return Promise.reject(
          new GatewayError('ERR_OIDC_REFRESH_FAILED', 'the session has no refresh token', {
            details: { issuer: cfg.issuer, reason: 'no-refresh-token' },
          }),
        );
      }
      return refreshes.run(refreshToken, () => doRefresh(refreshToken, tokens, previous));
    },

    async endSessionUrl(idTokenHint, postLogoutRedirectUri) {
      const config = await discovery.get();
      if (config.serverMetadata().end_session_endpoint === undefined) return undefined;
      return client.buildEndSessionUrl(config, {
        post_logout_redirect_uri: postLogoutRedirectUri,
        ...(idTokenHint === undefined ? {} : { id_token_hint: idTokenHint }),
      }).href;
    },

    async ping() {
      await discovery.get();
    },
  };
}
