import { GatewayError, type Identity } from '../core/index.js';
import type { ClaimMapping } from '../config/index.js';
import { claimAtPath } from './claim-path.js';

/**
 * Claims that describe the authentication event or the token itself. They are taken from the
 * (validated) ID token only, never from userinfo.
 * @see OIDC Core §2 (ID Token), §5.3.2 (UserInfo response)
 */
const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'auth_time',
  'amr',
  'acr',
  'azp',
  'at_hash',
  'c_hash',
  'sid',
]);

/**
 * Merges validated ID token claims with userinfo claims (OIDC Core §5.3): userinfo adds or
 * refreshes user claims (e.g. groups, name); protocol claims (`iss`, `sub`, `aud`, `exp`,
 * `nonce`, `auth_time`, `amr`, `acr`, …) come from the ID token only. The caller must have
 * checked that userinfo `sub` equals the ID token's (openid-client `fetchUserInfo` does).
 */
export function mergeUserinfo(
  idTokenClaims: Readonly<Record<string, unknown>>,
  userinfo: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const fromUserinfo = Object.entries(userinfo ?? {}).filter(
    ([name]) => !PROTOCOL_CLAIMS.has(name),
  );
  return { ...idTokenClaims, ...Object.fromEntries(fromUserinfo) };
}

function stringAt(claims: Readonly<Record<string, unknown>>, path: string): string | undefined {
  const value = claimAtPath(claims, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A string claim as one element; an array claim as its non-empty strings (numbers as text). */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string' && item !== '') out.push(item);
    else if (typeof item === 'number' && Number.isFinite(item)) out.push(String(item));
  }
  return [...new Set(out)];
}

/** `email_verified` as a boolean; some IdPs (e.g. AWS Cognito) send the strings "true"/"false". */
function booleanClaim(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/**
 * Maps validated claims (ID token merged with userinfo) to a core {@link Identity}.
 * - `sub` must be a non-empty string; `issuer` is the `iss` claim (falls back to `issuer`).
 * - `user` is the claim at `mapping.user` (string, or number as text); it is required: a
 *   missing user claim fails the login instead of silently using another value.
 * - `email`, `name`, `preferredUsername` from their mapped claims (non-empty strings only).
 * - `emailVerified` from `email_verified` (boolean or "true"/"false"), only when the email
 *   comes from the standard `email` claim it describes.
 * - `groups` from `mapping.groups`: a string (one group) or an array; dotted paths reach
 *   nested claims such as Keycloak's `realm_access.roles`.
 * - `roles` is empty: the policy module resolves roles.
 * - `amr` (RFC 8176), `acr`, `authTime` (`auth_time`, seconds since the epoch) as given.
 * @throws GatewayError `ERR_OIDC_TOKEN_INVALID` when `sub` or the user claim is missing.
 * @see OIDC Core §5.1 (standard claims), §2 (ID token)
 */
export function mapClaimsToIdentity(
  claims: Readonly<Record<string, unknown>>,
  mapping: ClaimMapping,
  issuer: string,
): Identity {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') {
    throw new GatewayError(
      'ERR_OIDC_TOKEN_INVALID',
      'the identity provider returned no subject (sub)',
    );
  }
  const userValue = claimAtPath(claims, mapping.user);
  const user =
    typeof userValue === 'string' && userValue !== ''
      ? userValue
      : typeof userValue === 'number' && Number.isFinite(userValue)
        ? String(userValue)
        : undefined;
  if (user === undefined) {
    throw new GatewayError(
      'ERR_OIDC_TOKEN_INVALID',
      `the identity provider did not return the claim "${mapping.user}" configured as user id (claims.user)`,
    );
  }
  const iss = typeof claims.iss === 'string' && claims.iss !== '' ? claims.iss : issuer;
  const email = stringAt(claims, mapping.email);
  const emailVerified = mapping.email === 'email' ? booleanClaim(claims.email_verified) : undefined;
  const name = stringAt(claims, mapping.name);
  const preferredUsername = stringAt(claims, mapping.preferred_username);
  const acr = typeof claims.acr === 'string' && claims.acr !== '' ? claims.acr : undefined;
  const authTime =
    typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time)
      ? Math.floor(claims.auth_time)
      : undefined;
  return {
    issuer: iss,
    sub,
    user,
    ...(email === undefined ? {} : { email }),
    ...(emailVerified === undefined ? {} : { emailVerified }),
    ...(name === undefined ? {} : { name }),
    ...(preferredUsername === undefined ? {} : { preferredUsername }),
    groups: Object.freeze(stringList(claimAtPath(claims, mapping.groups))),
    roles: Object.freeze([]),
    amr: Object.freeze(stringList(claims.amr)),
    ...(acr === undefined ? {} : { acr }),
    ...(authTime === undefined ? {} : { authTime }),
    claims: Object.freeze({ ...claims }),
  };
}
