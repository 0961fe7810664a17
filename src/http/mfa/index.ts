import type { EndpointHandler } from '../endpoints/context.js';
import { handleMfaEnroll } from './enroll-endpoint.js';
import { MFA_PATHS } from './mfa-pages.js';
import { withMfaPageCsp } from './mfa-respond.js';
import { handleMfaRecoveryCodes } from './recovery-codes-endpoint.js';
import { handleMfaVerify } from './verify-endpoint.js';

export { respondMfaDecision, type MfaDecisionInput } from './mfa-decision.js';
export { applyTrustedIdpMfa, idpDidMfa } from './trusted-idp-mfa.js';
export { MFA_PATHS } from './mfa-pages.js';

const GET_POST: ReadonlySet<string> = new Set(['GET', 'POST']);

/** Wraps an MFA page handler so its pages carry the MFA `form-action` policy. */
function withCsp(handler: EndpointHandler): EndpointHandler {
  return (ctx) => {
    withMfaPageCsp(ctx.res, ctx.rt);
    return handler(ctx);
  };
}

/** The MFA pages under `/.gatehouse/mfa/` (see docs/mfa.md), for the reserved endpoint table. */
export const MFA_ENDPOINTS: readonly (readonly [
  string,
  { readonly methods: ReadonlySet<string>; readonly handler: EndpointHandler },
])[] = [
  [MFA_PATHS.verify, { methods: GET_POST, handler: withCsp(handleMfaVerify) }],
  [MFA_PATHS.enroll, { methods: GET_POST, handler: withCsp(handleMfaEnroll) }],
  [MFA_PATHS.recoveryCodes, { methods: GET_POST, handler: withCsp(handleMfaRecoveryCodes) }],
];
