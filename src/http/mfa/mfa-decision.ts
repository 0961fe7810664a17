import type { ServerResponse } from 'node:http';
import { epochSeconds, userKey, type Decision } from '../../core/index.js';
import type { CompiledRoute } from '../../policy/index.js';
import type { Authentication } from '../authenticate.js';
import { reasonText } from '../decision-text.js';
import { startLogin } from '../login-flow.js';
import { sendJson, sendRedirect } from '../respond.js';
import type { GatewayRuntime, GatewayServices } from '../runtime.js';
import { mfaPageUrl } from './mfa-context.js';
import { MFA_PATHS } from './mfa-pages.js';
import { idpDidMfa } from './trusted-idp-mfa.js';

/** What {@link respondMfaDecision} needs about one request. */
export interface MfaDecisionInput {
  readonly res: ServerResponse;
  readonly rt: GatewayRuntime;
  readonly services: GatewayServices;
  readonly requestId: string;
  readonly browser: boolean;
  readonly route: CompiledRoute;
  readonly decision: Decision;
  readonly auth: Authentication | undefined;
  /** The URL the client asked for (absolute). */
  readonly originalUrl: string;
}

/** A session younger than this (seconds) is not sent back to the IdP again (no login loops). */
const RECENT_LOGIN_SECONDS = 60;

/**
 * Answers an `mfa` decision:
 * - API clients: 401 JSON `{ error: "mfa_required", … }` with
 *   `WWW-Authenticate: Bearer error="insufficient_user_authentication"` (RFC 9470 §3).
 * - Browsers whose IdP is trusted for MFA and did MFA at their login, when the MFA is too old:
 *   a new login at the IdP (`prompt=login`) renews it (unless they just logged in).
 * - Other browsers: 302 to `/.gatehouse/mfa/verify?rd=…`, or `/enroll` without an active factor.
 * @returns false when Gatehouse cannot satisfy the requirement (no `mfa:` configured, no session):
 *   the caller denies (fail closed).
 * @throws GatewayError `ERR_MFA_STORE_UNAVAILABLE` when the factor store fails (→ 503, fail closed).
 */
export async function respondMfaDecision(input: MfaDecisionInput): Promise<boolean> {
  const { res, rt, services, auth, decision, browser, originalUrl } = input;
  if (auth === undefined) return false;
  const trust = rt.config.identity_providers.find(
    (p) => p.id === auth.session.idpId,
  )?.trust_idp_mfa;
  const viaIdp =
    idpDidMfa(auth.identity, trust) &&
    epochSeconds(services.clock) - auth.session.createdAt > RECENT_LOGIN_SECONDS &&
    rt.relyingParties.has(auth.session.idpId);
  const mfa = services.mfa;
  if (mfa === undefined && !viaIdp) return false;

  const reason = decision.reasons[0];
  if (!browser) {
    const maxAge = decision.mfaMaxAge === undefined ? '' : `, max_age=${decision.mfaMaxAge}`;
    sendJson(
      res,
      401,
      {
        error: 'mfa_required',
        reason,
        message: reasonText(reason),
        route: decision.routeId,
        ...(decision.mfaMaxAge === undefined ? {} : { max_age: decision.mfaMaxAge }),
        ...(mfa === undefined ? {} : { mfa_url: mfaPageUrl(rt, MFA_PATHS.verify, originalUrl) }),
        request_id: input.requestId,
      },
      {
        'www-authenticate': `Bearer realm="gatehouse", error="insufficient_user_authentication", error_description="a second factor is required"${maxAge}`,
      },
    );
    return true;
  }
  const hasFactor = mfa === undefined ? false : await mfa.hasActiveFactor(userKey(auth.identity));
  if (viaIdp && !hasFactor) {
    services.logger.info(
      { event: 'mfa.idp_step_up', user: userKey(auth.identity), route: input.route.id },
      'renewing MFA at the identity provider',
    );
    await startLogin(res, rt, services, originalUrl, auth.session.idpId, { reauthenticate: true });
    return true;
  }
  sendRedirect(res, mfaPageUrl(rt, hasFactor ? MFA_PATHS.verify : MFA_PATHS.enroll, originalUrl));
  return true;
}
