import {
  AuthorizationResponseError,
  ClientError,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
} from 'openid-client';
import { GatewayError, isGatewayError, type ErrorCode } from '../core/index.js';

/** Which relying-party step failed; decides the error code. */
export type OidcStep = 'discovery' | 'callback' | 'refresh' | 'userinfo';

/** openid-client / oauth4webapi error codes meaning "a token failed validation". */
const TOKEN_CHECK_CODES = new Set([
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
]);

/** OAuth error codes at the token endpoint that mean our configuration is wrong, not the user's request (RFC 6749 §5.2). */
const CLIENT_CONFIG_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
]);

/** An OAuth `error` code safe to show and log (RFC 6749 §4.1.2.1 charset, short), or `error`. */
export function safeOauthError(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : 'error';
}

/** A short, secret-free description of a transport failure (connection refused, timeout, …). */
function transportReason(err: unknown): string | undefined {
  if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return 'timed out';
  if (err instanceof TypeError && err.message === 'fetch failed') {
    const cause: unknown = err.cause;
    const code =
      typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
    return typeof code === 'string' ? `unreachable (${code})` : 'unreachable';
  }
  return undefined;
}

/**
 * The underlying error without its own `cause` chain or attached response data: openid-client
 * errors can carry the callback parameters (the authorization code) or token responses, which
 * must not reach logs. Keeps name, message, stack and the library's error code.
 */
export function sanitizedCause(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(typeof err === 'string' ? err : 'non-error thrown');
  const copy = new Error(err.message);
  copy.name = err.name;
  if (err.stack !== undefined) copy.stack = err.stack;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

function codeOf(err: unknown): string | undefined {
  return err instanceof ClientError && typeof err.code === 'string' ? err.code : undefined;
}

/**
 * Turns an error of openid-client (or fetch) during `step` into a {@link GatewayError} with a
 * message that is safe to show (no tokens, no IdP-supplied free text) and a sanitized copy of the
 * original as `cause` (see {@link sanitizedCause}).
 * `GatewayError`s pass through unchanged.
 * - discovery: `ERR_OIDC_DISCOVERY_FAILED`.
 * - refresh: `ERR_OIDC_REFRESH_FAILED`, `details.reason` `rejected` (the IdP refused the
 *   refresh token) or `unavailable` (transport, 5xx, bad response).
 * - callback / userinfo: IdP error response → `ERR_OIDC_CALLBACK_INVALID`; code rejected at the
 *   token endpoint → `ERR_OIDC_CALLBACK_INVALID`; ID token or userinfo validation failed →
 *   `ERR_OIDC_TOKEN_INVALID`; transport errors, 5xx, client misconfiguration →
 *   `ERR_OIDC_PROVIDER_ERROR`.
 */
export function toOidcError(err: unknown, step: OidcStep, issuer: string): GatewayError {
  if (isGatewayError(err)) return err;
  const transport = transportReason(err);
  const code = codeOf(err);

  if (step === 'discovery') {
    const reason = transport ?? (err instanceof Error ? err.message : 'unknown error');
    return new GatewayError(
      'ERR_OIDC_DISCOVERY_FAILED',
      `OpenID Connect discovery of ${issuer} failed: ${reason}`,
      {
        cause: sanitizedCause(err),
        details: { issuer, ...(code === undefined ? {} : { code }) },
      },
    );
  }

  if (step === 'refresh') {
    const rejected = err instanceof ResponseBodyError && err.status < 500;
    const tokenCheck = code !== undefined && TOKEN_CHECK_CODES.has(code);
    const reason = rejected ? 'rejected' : tokenCheck ? 'invalid-token' : 'unavailable';
    const oauthError = err instanceof ResponseBodyError ? safeOauthError(err.error) : undefined;
    return new GatewayError(
      'ERR_OIDC_REFRESH_FAILED',
      rejected
        ? `the identity provider refused to refresh the session (${oauthError ?? 'error'})`
        : 'refreshing the session failed',
      {
        cause: sanitizedCause(err),
        details: {
          issuer,
          reason,
          ...(oauthError === undefined ? {} : { error: oauthError }),
          ...(code === undefined ? {} : { code }),
        },
      },
    );
  }

  let errorCode: ErrorCode = 'ERR_OIDC_PROVIDER_ERROR';
  let message = `the identity provider ${issuer} could not be used${transport === undefined ? '' : `: ${transport}`}`;
  const details: Record<string, unknown> = {
    issuer,
    step,
    ...(code === undefined ? {} : { code }),
  };
  if (err instanceof AuthorizationResponseError) {
    const e = safeOauthError(err.error);
    errorCode = 'ERR_OIDC_CALLBACK_INVALID';
    message = `the identity provider did not sign you in (${e})`;
    details.error = e;
  } else if (err instanceof ResponseBodyError) {
    const e = safeOauthError(err.error);
    details.error = e;
    details.status = err.status;
    if (err.status < 500 && !CLIENT_CONFIG_ERRORS.has(e)) {
      errorCode = 'ERR_OIDC_CALLBACK_INVALID';
      message = `the identity provider rejected the sign-in response (${e})`;
    } else {
      message = `the identity provider refused the token request (${e})`;
    }
  } else if (err instanceof WWWAuthenticateChallengeError) {
    message = 'the identity provider refused the userinfo request';
  } else if (code !== undefined && TOKEN_CHECK_CODES.has(code)) {
    errorCode = 'ERR_OIDC_TOKEN_INVALID';
    message = 'the identity provider returned a token that failed validation';
  } else if (code === 'OAUTH_INVALID_RESPONSE') {
    errorCode = 'ERR_OIDC_CALLBACK_INVALID';
    message = 'the sign-in response from the identity provider is invalid';
  }
  return new GatewayError(errorCode, message, { cause: sanitizedCause(err), details });
}
