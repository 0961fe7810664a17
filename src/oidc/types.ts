import type { Identity } from '../core/index.js';

/** Tokens returned by the IdP's token endpoint. `expiresAt` in seconds since the epoch. */
export interface OidcTokens {
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  readonly expiresAt?: number;
  readonly scope?: string;
}

/**
 * State of one authorization request, kept server-side between `/.gatehouse/login`
 * and `/.gatehouse/callback` (OIDC Core §3.1.2.1, RFC 7636). JSON-serialisable.
 */
export interface PendingLogin {
  readonly idpId: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Where to send the user after login (already validated by http/). */
  readonly returnTo: string;
  /** Seconds since the epoch. */
  readonly createdAt: number;
}

/** Options of {@link RelyingParty.beginLogin}. */
export interface BeginLoginOptions {
  /** Ask the IdP to authenticate the user again (`prompt=login`). Default false. */
  readonly reauthenticate?: boolean;
}

/** Result of a successful callback. */
export interface LoginResult {
  readonly identity: Identity;
  readonly tokens: OidcTokens;
}

/**
 * The gateway as OpenID Connect relying party of one identity provider.
 * Errors are `GatewayError`s: `ERR_OIDC_DISCOVERY_FAILED`, `ERR_OIDC_STATE_MISMATCH`,
 * `ERR_OIDC_CALLBACK_INVALID`, `ERR_OIDC_TOKEN_INVALID`, `ERR_OIDC_REFRESH_FAILED`,
 * `ERR_OIDC_PROVIDER_ERROR`.
 */
export interface RelyingParty {
  readonly id: string;
  readonly issuer: string;
  /**
   * Authorization request URL (code flow, PKCE S256, state, nonce) and the state to keep.
   * `options.reauthenticate` adds `prompt=login` (OIDC Core §3.1.2.1): the IdP must authenticate
   * the user again instead of reusing its session (fresh `auth_time`, e.g. before MFA enrollment).
   */
  beginLogin(returnTo: string, options?: BeginLoginOptions): Promise<{ url: string; pending: PendingLogin }>;
  /** Validates the callback (state, code exchange, ID token: OIDC Core §3.1.3.7) and maps claims. */
  completeLogin(callbackUrl: URL, pending: PendingLogin): Promise<LoginResult>;
  /** Refresh token grant (RFC 6749 §6); concurrent calls with the same refresh token share one request. */
  refresh(tokens: OidcTokens, previous: Identity): Promise<LoginResult>;
  /** RP-initiated logout URL (OIDC RP-Initiated Logout 1.0 §2), or undefined without `end_session_endpoint`. */
  endSessionUrl(idTokenHint: string | undefined, postLogoutRedirectUri: string): Promise<string | undefined>;
  /** Resolves when discovery succeeded (readiness); rejects with ERR_OIDC_DISCOVERY_FAILED. */
  ping(): Promise<void>;
}
