import type { IncomingMessage } from 'node:http';
import {
  decision as makeDecision,
  forwardedTarget,
  GatewayError,
  isGatewayError,
  type CanonicalRequest,
  type Decision,
  type Identity,
} from '../core/index.js';
import type { BearerVerification } from '../oidc/index.js';
import type { CompiledRoute } from '../policy/index.js';
import type { SessionRecord } from '../session/index.js';
import { authenticate } from './authenticate.js';
import type { RouteIdentity } from './identity/upstream-identity.js';
import type { GatewayRuntime, GatewayServices } from './runtime.js';

/** Who is calling: a session (cookie) or a verified bearer access token. */
export interface Caller {
  /** The identity as stored or mapped from the token (roles not resolved). */
  readonly identity: Identity;
  readonly session?: SessionRecord;
  readonly bearer?: BearerVerification & { readonly token: string };
}

/** The outcome of deciding one request, the same in proxy and forward-auth mode. */
export interface Access {
  readonly route: CompiledRoute;
  readonly routeIdentity: RouteIdentity;
  readonly caller: Caller | undefined;
  readonly decision: Decision;
}

/** `Bearer <b64token>` (RFC 6750 §2.1); the scheme is case-insensitive. */
const BEARER = /^bearer +(\S+) *$/i;

/** The bearer token of an `Authorization` header, `undefined` without one, `''` when malformed. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !/^bearer(\s|$)/i.test(header)) return undefined;
  return BEARER.exec(header)?.[1] ?? '';
}

/** Evaluates the policy; any exception is a deny (fail closed, DESIGN.md invariant 3). */
function decide(route: CompiledRoute, caller: Caller | undefined, creq: CanonicalRequest, nowMs: number): Decision {
  try {
    const scopes = caller?.bearer?.scopes;
    return route.evaluate(caller?.identity, creq, scopes === undefined ? { nowMs } : { nowMs, scopes });
  } catch {
    return makeDecision('deny', route.id, ['evaluation-error']);
  }
}

async function sessionCaller(req: IncomingMessage, route: CompiledRoute, rt: GatewayRuntime, services: GatewayServices): Promise<Caller | undefined> {
  try {
    const auth = await authenticate(req, rt, services);
    return auth === undefined ? undefined : { identity: auth.identity, session: auth.session };
  } catch (err) {
    // On a public route a failing session store means "anonymous"; elsewhere it propagates.
    if (!route.isPublic) throw err;
    services.logger.warn({ err, route: route.id }, 'session lookup failed; serving public route anonymously');
    return undefined;
  }
}

/**
 * Matches the canonical request to a route, authenticates the caller (a bearer token on
 * routes with `bearer: true` that received one, else the session cookie) and evaluates the
 * route's policy (with the token's scopes). Shared by the proxy and forward-auth modes so
 * both decide alike.
 * @throws GatewayError `ERR_ROUTE_NOT_FOUND`; `ERR_OIDC_TOKEN_INVALID` (`details.bearerError`)
 *   for a bearer token that fails verification; `ERR_SESSION_STORE_UNAVAILABLE`,
 *   `ERR_OIDC_PROVIDER_ERROR`, `ERR_OIDC_DISCOVERY_FAILED` when a dependency cannot answer.
 */
export async function decideAccess(
  req: IncomingMessage,
  creq: CanonicalRequest,
  rt: GatewayRuntime,
  services: GatewayServices,
): Promise<Access> {
  const route = rt.routes.match(creq);
  if (route === undefined) throw new GatewayError('ERR_ROUTE_NOT_FOUND', 'No application is served at this address.');
  const routeIdentity = rt.upstreamIdentity.route(route.id);
  let caller: Caller | undefined;
  const token = routeIdentity.bearer === undefined ? undefined : bearerToken(req);
  if (token !== undefined && routeIdentity.bearer !== undefined) {
    const verified = await routeIdentity.bearer.verify(token);
    caller = { identity: verified.identity, bearer: { ...verified, token } };
  } else {
    caller = await sessionCaller(req, route, rt, services);
  }
  return { route, routeIdentity, caller, decision: decide(route, caller, creq, services.clock.now()) };
}

/** Quotes an RFC 9110 §5.6.4 quoted-string (the description is ours, ASCII). */
function quoted(text: string): string {
  return `"${text.replace(/[^\x20-\x7e]/g, '').replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * The `WWW-Authenticate` challenge for an error: RFC 6750 §3 `error="invalid_token"` for a
 * rejected bearer token; `undefined` for other errors.
 */
export function bearerChallengeFor(err: unknown): Record<string, string> | undefined {
  if (!isGatewayError(err, 'ERR_OIDC_TOKEN_INVALID') || err.details?.bearerError !== 'invalid_token') return undefined;
  return { 'www-authenticate': `Bearer realm="gatehouse", error="invalid_token", error_description=${quoted(err.message)}` };
}

/** RFC 6750 §3.1 `insufficient_scope` when a bearer caller was refused for a missing scope. */
export function insufficientScopeChallenge(access: Access): Record<string, string> {
  if (access.caller?.bearer === undefined || !access.decision.reasons.includes('scope-missing')) return {};
  return { 'www-authenticate': 'Bearer realm="gatehouse", error="insufficient_scope", error_description="the access token lacks a required scope"' };
}

/** The URL the client asked for: `scheme://host[:port]/path?query` of the canonical request. */
export function originalUrl(creq: CanonicalRequest): string {
  return `${requestOrigin(creq)}${forwardedTarget(creq)}`;
}

/** The external origin of the canonical request, the default assertion audience. */
export function requestOrigin(creq: CanonicalRequest): string {
  const host = creq.host.includes(':') && !creq.host.startsWith('[') ? `[${creq.host}]` : creq.host;
  return `${creq.scheme}://${creq.port === undefined ? host : `${host}:${creq.port}`}`;
}

/** `/.gatehouse/login` on the public URL, returning to `returnTo`. */
export function loginUrl(rt: GatewayRuntime, returnTo: string): string {
  const u = new URL('/.gatehouse/login', rt.publicUrl);
  u.searchParams.set('rd', returnTo);
  return u.href;
}
