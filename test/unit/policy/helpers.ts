import type { CanonicalRequest, Identity } from '../../../src/core/index.js';
import {
  policyBodySchema,
  roleDefinitionSchema,
  routeSchema,
  type LoadedRoute,
} from '../../../src/config/index.js';
import {
  compileRouteTable,
  type RouteTable,
  type RouteTableInput,
} from '../../../src/policy/index.js';

export const FILE = 'policies/test.yaml';

/** A route parsed by the real schema (defaults applied), positioned at `line`. */
export function route(raw: Record<string, unknown>, line = 1): LoadedRoute {
  return {
    ...routeSchema.parse({ upstream: 'http://upstream.test:9000', ...raw }),
    source: { file: FILE, line, column: 3 },
  };
}

/** Input for compile/analyze from raw YAML-like objects, validated by the real schemas. */
export function input(
  routes: readonly Record<string, unknown>[],
  policies: Record<string, unknown> = {},
  roles: Record<string, unknown> = {},
): RouteTableInput {
  return {
    routes: routes.map((r, i) => route(r, 10 * (i + 1))),
    policies: Object.fromEntries(
      Object.entries(policies).map(([k, v]) => [k, policyBodySchema.parse(v)]),
    ),
    roles: Object.fromEntries(
      Object.entries(roles).map(([k, v]) => [k, roleDefinitionSchema.parse(v)]),
    ),
  };
}

export function table(
  routes: readonly Record<string, unknown>[],
  policies: Record<string, unknown> = {},
  roles: Record<string, unknown> = {},
): RouteTable {
  return compileRouteTable(input(routes, policies, roles));
}

/** An identity; keys given as `undefined` are removed (e.g. `{ email: undefined }` for no email). */
export function identity(over: { [K in keyof Identity]?: Identity[K] | undefined } = {}): Identity {
  const base = {
    issuer: 'https://idp.test',
    sub: 'u-1',
    user: 'u-1',
    email: 'alice@example.com',
    emailVerified: true,
    groups: [],
    roles: [],
    amr: ['pwd'],
    claims: {},
    ...over,
  };
  return Object.fromEntries(
    Object.entries(base).filter(([, v]) => v !== undefined),
  ) as unknown as Identity;
}

export function req(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    method: 'GET',
    host: 'app.example.com',
    scheme: 'https',
    path: '/',
    query: '',
    clientIp: '203.0.113.5',
    ...over,
  };
}

/** 2026-01-05 is a Monday; this is 10:00 UTC on it. */
export const MONDAY_10_UTC = Date.UTC(2026, 0, 5, 10, 0, 0);
export const ctx = { nowMs: MONDAY_10_UTC };
