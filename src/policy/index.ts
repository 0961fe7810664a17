/**
 * Policy module: request canonicalisation, route matching and access decisions.
 * Pure: no I/O. See docs/policies.md for the language.
 */
export * from './types.js';
export { canonicalize, type CanonicalizeOptions } from './canonicalize.js';
export {
  canonicalizeAuthority,
  canonicalizeHostname,
  DEFAULT_PORTS,
  type CanonicalHost,
} from './canonical/host.js';
export { canonicalizePath, checkQuery, matchingPath } from './canonical/path.js';
export { compileRouteTable } from './compile-route-table.js';
export { analyzeRoutes } from './analyze-routes.js';
export { parseClaimPath, readClaim, type ClaimPath } from './claim-path.js';
export { compileGlob, type GlobResult } from './matching/glob.js';
export { compileHostPattern, type HostPattern } from './matching/host-pattern.js';
export {
  compilePathMatcher,
  type PathMatcher,
  type PathPatternInput,
} from './matching/path-matcher.js';
