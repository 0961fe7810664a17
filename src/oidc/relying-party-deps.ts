import { GatewayError, type Clock, type Logger } from '../core/index.js';
import type { IdentityProviderConfig } from '../config/index.js';

/** Dependencies and options of `createRelyingParty`. */
export interface RelyingPartyDeps {
  /** Source of time (milliseconds). See `createRelyingParty` for what openid-client takes from it. */
  readonly clock: Clock;
  /** The gateway's callback URL registered at the IdP (absolute, no query or fragment). */
  readonly redirectUri: string;
  readonly logger: Logger;
  /** Allow `http://` issuers and endpoints (openid-client `allowInsecureRequests`); for loopback development only. Default false. */
  readonly allowInsecureHttp?: boolean;
  /** Timeout of each request to the IdP, in milliseconds (rounded up to whole seconds for openid-client). Default 10000. */
  readonly fetchTimeoutMs?: number;
  /** After a failed discovery, calls within this many milliseconds fail at once without retrying. Default 2000. */
  readonly discoveryRetryMs?: number;
  /** A pending login older than this many seconds is refused at the callback. Default 600. */
  readonly pendingMaxAgeSeconds?: number;
  /** Tolerance for ID token time claims (`exp`, `iat`, `nbf`), in seconds. Default 30. */
  readonly clockToleranceSeconds?: number;
}

/** Authorization request parameters that Gatehouse sets itself; `extra_auth_params` cannot override them. */
export const RESERVED_AUTH_PARAMS = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'request',
  'request_uri',
]);

/**
 * Checks the setup of one relying party.
 * @throws GatewayError `ERR_CONFIG_INVALID` for an http issuer without `allowInsecureHttp`, or a
 *   redirect URI that is not absolute or has a query/fragment.
 */
export function validateSetup(cfg: IdentityProviderConfig, deps: RelyingPartyDeps): void {
  let redirect: URL;
  try {
    redirect = new URL(deps.redirectUri);
  } catch {
    throw new GatewayError(
      'ERR_CONFIG_INVALID',
      `identity provider ${cfg.id}: redirect URI ${deps.redirectUri} is not an absolute URL`,
    );
  }
  if (redirect.search !== '' || redirect.hash !== '') {
    throw new GatewayError(
      'ERR_CONFIG_INVALID',
      `identity provider ${cfg.id}: redirect URI must not have a query or fragment`,
    );
  }
  if (new URL(cfg.issuer).protocol === 'http:' && deps.allowInsecureHttp !== true) {
    throw new GatewayError(
      'ERR_CONFIG_INVALID',
      `identity provider ${cfg.id}: issuer ${cfg.issuer} uses plain http; use https (http is allowed for loopback development only)`,
    );
  }
}
