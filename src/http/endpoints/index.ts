import { handleForwardAuth } from '../forward-auth/forward-auth-endpoint.js';
import { handleCallback } from './callback.js';
import type { EndpointHandler } from './context.js';
import { handleHealthz, handleReadyz } from './health.js';
import { handleJwks, JWKS_PATH } from './jwks.js';
import { handleLogin } from './login.js';
import { handleLogout } from './logout.js';
import { handleUserinfo } from './userinfo.js';
import { MFA_ENDPOINTS } from '../mfa/index.js';

export type { EndpointContext, EndpointHandler } from './context.js';
export { JWKS_PATH } from './jwks.js';

/** Reserved path prefix on every host. */
export const RESERVED_PREFIX = '/.gatehouse/';

/** Path of the forward-auth endpoint; Envoy's ext_authz appends the original path to it. */
export const FORWARD_AUTH_PATH = '/.gatehouse/auth';

/** A reserved endpoint: the methods it answers (`'any'`: every method) and its handler. */
export interface Endpoint {
  readonly methods: ReadonlySet<string> | 'any';
  readonly handler: EndpointHandler;
}

/** The reserved endpoints by path and method. */
export const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  ['/.gatehouse/login', { methods: new Set(['GET', 'HEAD']), handler: handleLogin }],
  ['/.gatehouse/callback', { methods: new Set(['GET']), handler: handleCallback }],
  ['/.gatehouse/logout', { methods: new Set(['GET', 'POST']), handler: handleLogout }],
  ['/.gatehouse/userinfo', { methods: new Set(['GET', 'HEAD']), handler: handleUserinfo }],
  ['/.gatehouse/healthz', { methods: new Set(['GET', 'HEAD']), handler: handleHealthz }],
  ['/.gatehouse/readyz', { methods: new Set(['GET', 'HEAD']), handler: handleReadyz }],
  [FORWARD_AUTH_PATH, { methods: 'any', handler: handleForwardAuth }],
  [JWKS_PATH, { methods: new Set(['GET', 'HEAD']), handler: handleJwks }],
  ...MFA_ENDPOINTS,
]);

/** True for paths the gateway answers itself on every host, before route matching. */
export function isReservedPath(path: string): boolean {
  return path.startsWith(RESERVED_PREFIX) || path === JWKS_PATH;
}

/** The endpoint for a reserved path: exact paths, and `/.gatehouse/auth/<original path>` (Envoy). */
export function findEndpoint(path: string): Endpoint | undefined {
  return ENDPOINTS.get(path) ?? (path.startsWith(`${FORWARD_AUTH_PATH}/`) ? ENDPOINTS.get(FORWARD_AUTH_PATH) : undefined);
}
