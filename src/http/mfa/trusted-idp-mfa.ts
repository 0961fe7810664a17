import type { Identity } from '../../core/index.js';
import type { TrustIdpMfa } from '../../config/index.js';

/**
 * True when the identity provider says it performed MFA in a way `trust` accepts: the ID token's
 * `amr` contains one of `trust.amr`, or its `acr` is one of `trust.acr`.
 * @see RFC 8176 §2 (amr values), OIDC Core §2 (amr, acr)
 */
export function idpDidMfa(identity: Identity, trust: TrustIdpMfa | undefined): boolean {
  if (trust === undefined) return false;
  if (identity.amr.some((m) => trust.amr.includes(m))) return true;
  return identity.acr !== undefined && trust.acr.includes(identity.acr);
}

/**
 * The identity built at login, counted as MFA-verified at `auth_time` when the identity provider
 * is trusted for MFA (`trust_idp_mfa`) and its `amr`/`acr` qualify. Without `auth_time` the
 * IdP's MFA is not counted (its time is unknown). Returns the same object when nothing applies.
 */
export function applyTrustedIdpMfa(identity: Identity, trust: TrustIdpMfa | undefined): Identity {
  if (identity.authTime === undefined || !idpDidMfa(identity, trust)) return identity;
  return { ...identity, mfaTime: identity.authTime };
}
