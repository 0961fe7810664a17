import type { EndpointHandler } from '../endpoints/context.js';
import { handleMfaEnroll } from './enroll-endpoint.js';
import { MFA_PATHS } from './mfa-pages.js';
import { handleMfaRecoveryCodes } from './recovery-codes-endpoint.js';
import { handleMfaVerify } from './verify-endpoint.js';

export { respondMfaDecision, type MfaDecisionInput } from './mfa-decision.js';
export { applyTrustedIdpMfa, idpDidMfa } from './trusted-idp-mfa.js';
export { MFA_PATHS } from './mfa-pages.js';

const GET_POST: ReadonlySet<string> = new Set(['GET', 'POST']);

/** The MFA pages under `/.gatehouse/mfa/` (see docs/mfa.md), for the reserved endpoint table. */
export const MFA_ENDPOINTS: readonly (readonly [
  string,
  { readonly methods: ReadonlySet<string>; readonly handler: EndpointHandler },
])[] = [
  [MFA_PATHS.verify, { methods: GET_POST, handler: handleMfaVerify }],
  [MFA_PATHS.enroll, { methods: GET_POST, handler: handleMfaEnroll }],
  [MFA_PATHS.recoveryCodes, { methods: GET_POST, handler: handleMfaRecoveryCodes }],
];
