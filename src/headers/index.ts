/**
 * headers/: strip inbound identity and forwarding headers, inject identity headers,
 * header templates for legacy apps, and the signed identity assertion with its JWKS.
 */
export type { HeaderShaper } from './types.js';
export { createHeaderShaper, type HeaderShaperOptions } from './header-shaper.js';
export {
  DEFAULT_ASSERTION_HEADER,
  FORWARDING_HEADERS,
  GATEHOUSE_HEADER_PREFIX,
  URL_REWRITE_HEADERS,
  normaliseHeaderName,
} from './header-names.js';
export { headerList, headerValue, isSafeHeaderValue } from './header-value.js';
export { stripGatewayCookies, type GatewayCookieMatcher } from './cookie-strip.js';
export { forwardedHeaders, type ForwardedHeaders, type ForwardedInput } from './forwarded.js';
export {
  checkSettableHeader,
  compileHeaderTemplates,
  compileTextTemplate,
  type CompiledHeaderTemplates,
} from './header-templates.js';
export {
  compileRouteHeaders,
  type CompiledRouteHeaders,
  type RouteHeaderRules,
  type RouteTokens,
} from './route-headers.js';
export {
  keyStoreFromFiles,
  openKeyFile,
  rotateKeyFile,
  writeKeyFile,
  type KeyFileOptions,
  type RotateKeyFileOptions,
  type RotationResult,
} from './key-file.js';
export {
  ASSERTION_ALGORITHMS,
  generateSigningKey,
  importSigningKey,
  type AssertionAlgorithm,
  type SigningKey,
} from './signing-key.js';
export {
  generateKeyStore,
  importKeyStore,
  type KeyStore,
  type KeyStoreImport,
  type KeyStoreJSON,
  type KeyStoreOptions,
  type NextKeySchedule,
  type PublicJwks,
} from './key-store.js';
export {
  createAssertionSigner,
  type AssertionRequest,
  type AssertionSigner,
  type AssertionSignerOptions,
} from './assertion-signer.js';
