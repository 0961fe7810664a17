/**
 * DEVELOPMENT ONLY — never use in production. Public API of `src/demo/`: the demo identity
 * provider and echo upstream behind `gatehouse demo` and the tests. Only `cli/` (and tests)
 * may import this module; import it lazily (`await import(...)`) so production start-up does
 * not load oidc-provider.
 */
export { startDevIdp } from './dev-idp.js';
export { closeServer } from './close-server.js';
export type { DevApiResource, DevIdp, DevIdpClient, DevIdpOptions, DevIdpTtl } from './dev-idp.js';
export { startEchoUpstream } from './echo-upstream.js';
export type {
  EchoResponse,
  EchoUpgradeMessage,
  EchoUpstream,
  EchoUpstreamOptions,
} from './echo-upstream.js';
export { DEFAULT_DEV_USERS, authenticateDevUser, devUserClaims } from './dev-users.js';
export type { DevUser } from './dev-users.js';
