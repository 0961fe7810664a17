import { errors as joseErrors } from 'jose';
import { GatewayError } from '../core/index.js';
import { sanitizedCause } from './oidc-errors.js';

/**
 * An access token that was rejected: `ERR_OIDC_TOKEN_INVALID` (401) with
 * `details.bearerError: "invalid_token"`. The message is a short, secret-free description
 * fit for the `error_description` of `WWW-Authenticate` (RFC 6750 §3).
 */
export function invalidToken(description: string, cause?: unknown): GatewayError {
  return new GatewayError('ERR_OIDC_TOKEN_INVALID', description, {
    details: { bearerError: 'invalid_token' },
    ...(cause === undefined ? {} : { cause: sanitizedCause(cause) }),
  });
}

/** Maps a jose verification error to a GatewayError: bad tokens are `invalid_token`, an unreachable JWKS is the IdP's fault. */
export function fromJoseError(err: unknown, issuer: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof joseErrors.JWTExpired) return invalidToken('the access token has expired', err);
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = /^[a-z_]{1,20}$/.test(err.claim) ? err.claim : 'claim';
    const what: Record<string, string> = {
      iss: 'the access token is from another issuer',
      aud: 'the access token is not for this audience',
      nbf: 'the access token is not valid yet',
      exp: 'the access token has expired',
      iat: 'the access token has an invalid issue time',
      sub: 'the access token has no subject',
    };
    if (err.reason === 'missing') return invalidToken(`the access token has no "${claim}" claim`, err);
    return invalidToken(what[claim] ?? `the access token has an invalid "${claim}" claim`, err);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return invalidToken('the access token is signed with an algorithm that is not accepted', err);
  if (err instanceof joseErrors.JWKSNoMatchingKey) return invalidToken('the access token is signed by an unknown key', err);
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return invalidToken('the access token signature is invalid', err);
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid || err instanceof joseErrors.JOSENotSupported) {
    return invalidToken('the access token is malformed', err);
  }
  if (err instanceof joseErrors.JWKSMultipleMatchingKeys) return invalidToken('the access token names no unique key', err);
  return new GatewayError('ERR_OIDC_PROVIDER_ERROR', `the signing keys of ${issuer} could not be fetched`, {
    cause: sanitizedCause(err),
    details: { issuer, step: 'jwks' },
  });
}
