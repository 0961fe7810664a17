import type { IncomingMessage } from 'node:http';
import { GatewayError, type Clock, type Identity, type Logger } from '../../core/index.js';
import type { ConfigProblem, GatewayConfig, LoadedRoute } from '../../config/index.js';
import { compileRouteHeaders, type CompiledRouteHeaders } from '../../headers/index.js';
import { createBearerVerifier, type BearerVerifier } from '../../oidc/index.js';
import type { RouteTable } from '../../policy/index.js';
import { createTrustedPeerCheck } from './trusted-peer.js';

/** What a route does for the upstream's view of the caller, compiled at load. */
export interface RouteIdentity {
  /** `aud` of the assertion; undefined: the request's external origin. */
  readonly audience: string | undefined;
  /** Header mapping for legacy apps (templates, Basic, passed tokens, set/remove headers, cookies). */
  readonly headers: CompiledRouteHeaders;
  /** The verifier of the route's identity provider when the route accepts bearer tokens. */
  readonly bearer: BearerVerifier | undefined;
  /** `pass_access_token`: a bearer token the gateway verified is passed on as it came. */
  readonly passAccessToken: boolean;
}

/** Everything about verified identity for upstreams that is compiled from one configuration. */
export interface UpstreamIdentity {
  /** The route's compiled settings (a route without any: defaults). */
  route(routeId: string): RouteIdentity;
  /** Header names set by templates of any route: stripped from clients on every route. */
  readonly templateHeaderNames: readonly string[];
  /** True when the TCP peer of `req` is in `trusted_proxies` (forward-auth callers). */
  isTrustedPeer(req: IncomingMessage): boolean;
  /** The identity with its gateway roles resolved (`roles:` section), cached per identity object. */
  withRoles(identity: Identity): Identity;
}

/** Dependencies of {@link compileUpstreamIdentity}. */
export interface UpstreamIdentityDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Allow http issuers for bearer verification (loopback development). */
  readonly allowInsecureHttp: boolean;
}

const NO_HEADERS = compileRouteHeaders({});

/** Index of each route inside its own file, for `routes[i]` in problems. */
function indexInFile(routes: readonly LoadedRoute[]): Map<LoadedRoute, number> {
  const counts = new Map<string, number>();
  const out = new Map<LoadedRoute, number>();
  for (const r of routes) {
    const n = counts.get(r.source.file) ?? 0;
    out.set(r, n);
    counts.set(r.source.file, n + 1);
  }
  return out;
}

interface Compiled {
  readonly routes: Map<string, RouteIdentity>;
  readonly problems: ConfigProblem[];
  readonly templateNames: string[];
}

function compileRoutes(config: GatewayConfig, verifierFor: (idpId: string) => BearerVerifier | undefined): Compiled {
  const routes = new Map<string, RouteIdentity>();
  const problems: ConfigProblem[] = [];
  const templateNames: string[] = [];
  const index = indexInFile(config.routes);
  const defaultIdp = config.identity_providers[0]?.id ?? '';
  for (const route of config.routes) {
    const problem = (key: string, message: string): void => {
      problems.push({ ...route.source, path: `routes[${index.get(route) ?? 0}].${key}`, message, severity: 'error' });
    };
    const authSetters = [route.basic_auth !== undefined, route.pass_access_token, route.pass_id_token].filter(Boolean).length;
    if (authSetters > 1) problem('basic_auth', 'use only one of basic_auth, pass_access_token, pass_id_token (each sets Authorization)');
    let headers = NO_HEADERS;
    try {
      headers = compileRouteHeaders({
        ...(route.headers === undefined ? {} : { templates: route.headers }),
        ...(route.basic_auth === undefined ? {} : { basicAuth: route.basic_auth }),
        ...(route.pass_access_token ? { passToken: 'access_token' as const } : route.pass_id_token ? { passToken: 'id_token' as const } : {}),
        ...(route.set_headers === undefined ? {} : { setHeaders: route.set_headers }),
        ...(route.remove_headers === undefined ? {} : { removeHeaders: route.remove_headers }),
        ...(route.strip_cookies === undefined ? {} : { stripCookies: route.strip_cookies }),
      });
      templateNames.push(...headers.templateNames);
    } catch (err) {
      const key = /set_headers/.test(String(err)) ? 'set_headers' : /remove_headers/.test(String(err)) ? 'remove_headers' : /strip_cookies/.test(String(err)) ? 'strip_cookies' : /basic_auth/.test(String(err)) ? 'basic_auth' : 'headers';
      problem(key, err instanceof GatewayError ? err.message : String(err));
    }
    let bearer: BearerVerifier | undefined;
    if (route.bearer) {
      const idpId = route.idp ?? defaultIdp;
      bearer = verifierFor(idpId);
      if (bearer === undefined) {
        problem('bearer', `identity provider "${idpId}" has no bearer: section (set identity_providers[].bearer.audience to accept its access tokens)`);
      }
    }
    routes.set(route.id, { audience: route.audience, headers, bearer, passAccessToken: route.pass_access_token });
  }
  return { routes, problems, templateNames };
}

/**
 * Problems of the verified-identity settings of the routes (header templates, `set_headers`,
 * `basic_auth` with a passed token, `bearer` on a route whose identity provider has no
 * `bearer:` section), each at the route's position. For `gatehouse check`; nothing connects.
 */
export function upstreamIdentityProblems(config: GatewayConfig): ConfigProblem[] {
  const withBearer = new Set(config.identity_providers.filter((p) => p.bearer !== undefined).map((p) => p.id));
  return compileRoutes(config, (id) => (withBearer.has(id) ? ({ idpId: id } as BearerVerifier) : undefined)).problems;
}

/**
 * Compiles the routes' verified-identity settings once per configuration: header mapping,
 * assertion audience, bearer verifiers (one per identity provider, shared by its routes;
 * nothing connects before the first token), the trusted-peer check for forward-auth, and a
 * per-identity cache of resolved roles.
 * @throws GatewayError `ERR_CONFIG_INVALID` with `details.problems` (every problem, see
 *   {@link upstreamIdentityProblems}).
 */
export function compileUpstreamIdentity(config: GatewayConfig, routeTable: RouteTable, deps: UpstreamIdentityDeps): UpstreamIdentity {
  const verifiers = new Map<string, BearerVerifier>();
  const verifierFor = (idpId: string): BearerVerifier | undefined => {
    let v = verifiers.get(idpId);
    if (v !== undefined) return v;
    const idp = config.identity_providers.find((p) => p.id === idpId);
    if (idp?.bearer === undefined) return undefined;
    v = createBearerVerifier(idp, { clock: deps.clock, logger: deps.logger, allowInsecureHttp: deps.allowInsecureHttp });
    verifiers.set(idpId, v);
    return v;
  };
  const { routes, problems, templateNames } = compileRoutes(config, verifierFor);
  if (problems.length > 0) {
    throw new GatewayError('ERR_CONFIG_INVALID', problems.map((p) => p.message).join('; '), { details: { problems } });
  }
  const fallback: RouteIdentity = { audience: undefined, headers: NO_HEADERS, bearer: undefined, passAccessToken: false };
  const roles = new WeakMap<Identity, Identity>();
  return {
    route: (id) => routes.get(id) ?? fallback,
    templateHeaderNames: [...new Set(templateNames)],
    isTrustedPeer: createTrustedPeerCheck(config.trusted_proxies),
    withRoles(identity) {
      let out = roles.get(identity);
      if (out === undefined) {
        const held = routeTable.rolesFor(identity);
        out = held.length === 0 && identity.roles.length === 0 ? identity : Object.freeze({ ...identity, roles: Object.freeze([...held]) });
        roles.set(identity, out);
      }
      return out;
    },
  };
}
