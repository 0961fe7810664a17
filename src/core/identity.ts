/**
 * A verified user identity, as established by the identity provider (IdP) and kept
 * in the server-side session. A user is identified by (`issuer`, `sub`), never by email
 * (OIDC Core §5.7).
 */
export interface Identity {
  /** Issuer identifier of the IdP that authenticated the user (OIDC Core §2, `iss`). */
  readonly issuer: string;
  /** Subject identifier, unique within the issuer (OIDC Core §2, `sub`). */
  readonly sub: string;
  /** The value the operator chose as user id for headers (default: `sub`). */
  readonly user: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly name?: string;
  readonly preferredUsername?: string;
  /** Group names from the configured groups claim. */
  readonly groups: readonly string[];
  /** Gateway roles resolved from IdP data by the `roles:` section (policy module). */
  readonly roles: readonly string[];
  /** Authentication methods references (RFC 8176), from the ID token or added by Gatehouse MFA. */
  readonly amr: readonly string[];
  /** Authentication context class reference (OIDC Core §2, `acr`). */
  readonly acr?: string;
  /** Time of the primary authentication, seconds since the epoch (OIDC Core §2, `auth_time`). */
  readonly authTime?: number;
  /** Time of the last MFA verification, seconds since the epoch. */
  readonly mfaTime?: number;
  /** All claims of the ID token merged with userinfo, for `claim` criteria and templates. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Key of a user across the gateway: `issuer` and `sub` joined unambiguously. */
export function userKey(identity: Pick<Identity, 'issuer' | 'sub'>): string {
  return `${encodeURIComponent(identity.issuer)}|${encodeURIComponent(identity.sub)}`;
}
