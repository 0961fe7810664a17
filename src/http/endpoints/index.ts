import { handleCallback } from './callback.js';
import type { EndpointHandler } from './context.js';
import { handleHealthz, handleReadyz } from './health.js';
import { handleLogin } from './login.js';
import { handleLogout } from './logout.js';
import { handleUserinfo } from './userinfo.js';
import { MFA_ENDPOINTS } from '../mfa/index.js';

export type { EndpointContext, EndpointHandler } from './context.js';

/** Reserved path prefix on every host. */
export const RESERVED_PREFIX = '/.gatehouse/';

/** The reserved endpoints by path and method. */
export const ENDPOINTS: ReadonlyMap<string, { readonly methods: ReadonlySet<string>; readonly handler: EndpointHandler }> =
  new Map([
    ['/.gatehouse/login', { methods: new Set(['GET', 'HEAD']), handler: handleLogin }],
    ['/.gatehouse/callback', { methods: new Set(['GET']), handler: handleCallback }],
    ['/.gatehouse/logout', { methods: new Set(['GET', 'POST']), handler: handleLogout }],
    ['/.gatehouse/userinfo', { methods: new Set(['GET', 'HEAD']), handler: handleUserinfo }],
    ['/.gatehouse/healthz', { methods: new Set(['GET', 'HEAD']), handler: handleHealthz }],
    ['/.gatehouse/readyz', { methods: new Set(['GET', 'HEAD']), handler: handleReadyz }],
    ...MFA_ENDPOINTS,
  ]);
