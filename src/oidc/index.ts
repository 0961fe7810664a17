/** Public API of `src/oidc/`: the gateway as OpenID Connect relying party. */
export type { BeginLoginOptions, LoginResult, OidcTokens, PendingLogin, RelyingParty } from './types.js';
export { createRelyingParty } from './relying-party.js';
export type { RelyingPartyDeps } from './relying-party.js';
export { createRelyingParties } from './relying-parties.js';
export { mapClaimsToIdentity, mergeUserinfo } from './claim-mapping.js';
export { claimAtPath } from './claim-path.js';
export {
  createBearerVerifier,
  type BearerVerification,
  type BearerVerifier,
  type BearerVerifierDeps,
} from './bearer-verifier.js';
