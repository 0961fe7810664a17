import type { CanonicalRequest, Identity } from '../core/index.js';
import type { PolicyBody, RoutePolicy } from '../config/index.js';
import { compileMfa, type CompileScope } from './criteria/index.js';
import {
  PUBLIC_PROGRAM,
  BUILTIN_POLICIES,
  authenticatedProgram,
  compilePolicyBody,
  desugarAllowList,
  isAllowList,
  type PolicyProgram,
} from './compile/policy.js';
import { ProblemCollector, UNKNOWN_POSITION } from './compile/problems.js';
import { RoleResolver, findRoleCycles } from './compile/roles.js';
import { RouteEntry } from './compile/route.js';
import { compileHostPattern, type HostPattern } from './matching/host-pattern.js';
import { ANY_PATH, compilePathMatcher, type PathMatcher } from './matching/path-matcher.js';
import { RouteIndex } from './matching/route-index.js';
import type {
  CompiledRoute,
  EvaluationContext,
  ExplainStep,
  RouteTable,
  RouteTableInput,
} from './types.js';

/** Key path of the `n`-th route of its file: `routes[n]`. */
export function routeKeys(input: Pick<RouteTableInput, 'routes'>): string[] {
  const perFile = new Map<string, number>();
  return input.routes.map((r) => {
    const n = perFile.get(r.source.file) ?? 0;
    perFile.set(r.source.file, n + 1);
    return `routes[${n}]`;
  });
}

/** The route's path condition from `match.path` / `path_exact` / `path_glob`, or a problem message. */
export function routePathMatcher(
  match: RouteTableInput['routes'][number]['match'],
  ci: boolean,
): PathMatcher | { key: string; message: string } {
  const form =
    match.path !== undefined
      ? { key: 'path', kind: 'prefix' as const, pattern: match.path }
      : match.path_exact !== undefined
        ? { key: 'path_exact', kind: 'exact' as const, pattern: match.path_exact }
        : match.path_glob !== undefined
          ? { key: 'path_glob', kind: 'glob' as const, pattern: match.path_glob }
          : undefined;
  if (form === undefined) return ANY_PATH;
  const m = compilePathMatcher(form, ci);
  return typeof m === 'string'
    ? { key: form.key, message: `invalid ${form.key} ${JSON.stringify(form.pattern)}: ${m}` }
    : m;
}

/** The route's host patterns (empty: any host), reporting invalid ones. */
export function routeHostPatterns(
  hosts: readonly string[] | undefined,
  report: (j: number, message: string) => void,
): HostPattern[] {
  if (hosts === undefined || hosts.includes('*')) return [];
  const out: HostPattern[] = [];
  hosts.forEach((h, j) => {
    const p = compileHostPattern(h);
    if (typeof p === 'string') report(j, p);
    else out.push(p);
  });
  return out;
}

/**
 * Compiles routes, named policies and roles into a {@link RouteTable}: host/path/method
 * matchers, rule closures, CIDR ranges, globs and time-zone formatters are all built here,
 * once per configuration load; nothing is interpreted per request.
 *
 * @throws GatewayError ERR_CONFIG_INVALID with `details.problems: ConfigProblem[]` (every
 *   problem found, with file/line/column of the route) for: unknown named policy, invalid
 *   CIDR, glob, host pattern or path, unknown time zone, unknown role, recursive role
 *   definitions, request criteria in role definitions, misplaced `mfa`, MFA on a public
 *   route, duplicate route ids, reserved policy names.
 */
export function compileRouteTable(input: RouteTableInput): RouteTable {
  const problems = new ProblemCollector();
  const roleNames = new Set(Object.keys(input.roles));
  const rolePos = (name: string) => input.sources?.roles?.[name] ?? UNKNOWN_POSITION;
  const policyPos = (name: string) => input.sources?.policies?.[name] ?? UNKNOWN_POSITION;

  for (const cycle of findRoleCycles(input.roles)) {
    problems.add(
      rolePos(cycle[0] ?? ''),
      `roles.${cycle[0] ?? ''}`,
      `recursive role definition: ${cycle.join(' -> ')}`,
    );
  }
  const roles = new RoleResolver(input.roles, (name) =>
    problems.scope(rolePos(name), {
      caseInsensitivePaths: false,
      roleNames,
      inRoleDefinition: true,
    }),
  );
  const rolesOf = (identity: Identity) => roles.lookup(identity);

  const named = new Map<string, PolicyProgram>();
  const namedProgram = (name: string, ci: boolean): PolicyProgram | undefined => {
    const body: PolicyBody | undefined = Object.hasOwn(input.policies, name)
      ? input.policies[name]
      : undefined;
    if (body === undefined) return undefined;
    const key = `${name}|${ci}`;
    let p = named.get(key);
    if (p === undefined) {
      const scope = problems.scope(policyPos(name), {
        caseInsensitivePaths: ci,
        roleNames,
        inRoleDefinition: false,
      });
      p = compilePolicyBody(body, scope, `policies.${name}`, `policy:${name} `);
      named.set(key, p);
    }
    return p;
  };
  for (const name of Object.keys(input.policies)) {
    if (BUILTIN_POLICIES.has(name))
      problems.add(
        policyPos(name),
        `policies.${name}`,
        `"${name}" is a built-in policy name; choose another name`,
      );
    namedProgram(name, false);
  }

  const keys = routeKeys(input);
  const ids = new Set<string>();
  const routes: RouteEntry[] = [];
  input.routes.forEach((route, index) => {
    const base = keys[index] ?? `routes[${index}]`;
    const pos = route.source;
    const ci = route.case_insensitive_paths;
    if (ids.has(route.id))
      problems.add(pos, `${base}.id`, `duplicate route id ${JSON.stringify(route.id)}`);
    ids.add(route.id);
    let upstream: URL;
    try {
      upstream = new URL(route.upstream);
    } catch {
      problems.add(
        pos,
        `${base}.upstream`,
        `invalid upstream URL ${JSON.stringify(route.upstream)}`,
      );
      upstream = new URL('http://invalid.invalid/');
    }
    const hosts = routeHostPatterns(route.match.host, (j, m) => {
      problems.add(pos, `${base}.match.host[${j}]`, m);
    });
    const pm = routePathMatcher(route.match, ci);
    if (!('test' in pm)) problems.add(pos, `${base}.match.${pm.key}`, pm.message);
    const methods =
      route.match.methods === undefined
        ? undefined
        : new Set(route.match.methods.map((m) => m.toUpperCase()));
    const scope = problems.scope(pos, {
      caseInsensitivePaths: ci,
      roleNames,
      inRoleDefinition: false,
    });
    const policy = routeProgram(route.policy, scope, `${base}.policy`, (name) =>
      namedProgram(name, ci),
    );
    if (policy === undefined) {
      problems.add(
        pos,
        `${base}.policy`,
        `unknown policy ${JSON.stringify(route.policy)}: use public, authenticated, or a name defined under policies:`,
      );
    }
    const mfa = compileMfa(route.mfa);
    if (policy?.kind === 'public' && mfa !== undefined) {
      problems.add(
        pos,
        `${base}.mfa`,
        'a public route cannot require MFA: use policy "authenticated" with mfa',
      );
    }
    routes.push(
      new RouteEntry({
        index,
        id: route.id,
        upstream,
        idp: route.idp,
        preserveHost: route.preserve_host,
        allowRewriteHeaders: route.allow_rewrite_headers,
        caseInsensitivePaths: ci,
        timeoutSeconds: route.timeout,
        hosts,
        path: 'test' in pm ? pm : ANY_PATH,
        methods,
        policy: policy ?? PUBLIC_PROGRAM,
        mfa,
        rolesOf,
      }),
    );
  });
  problems.throwIfErrors('routes and policies');
  return new CompiledRouteTable(routes, roles);
}

function routeProgram(
  policy: RoutePolicy,
  scope: CompileScope,
  key: string,
  named: (name: string) => PolicyProgram | undefined,
): PolicyProgram | undefined {
  if (typeof policy === 'string') {
    if (policy === 'public') return PUBLIC_PROGRAM;
    if (policy === 'authenticated') return authenticatedProgram(scope);
    return named(policy);
  }
  return compilePolicyBody(isAllowList(policy) ? desugarAllowList(policy) : policy, scope, key, '');
}

class CompiledRouteTable implements RouteTable {
  readonly hosts: readonly string[];
  readonly routes: readonly CompiledRoute[];
  readonly #index: RouteIndex;
  readonly #roles: RoleResolver;

  constructor(routes: readonly RouteEntry[], roles: RoleResolver) {
    this.routes = Object.freeze([...routes]);
    this.#index = new RouteIndex(routes);
    this.#roles = roles;
    const hosts = new Set<string>();
    for (const r of routes) {
      if (r.hostPatterns.length === 0) hosts.add('*');
      for (const h of r.hostPatterns) hosts.add(h.text);
    }
    this.hosts = Object.freeze([...hosts]);
    Object.freeze(this);
  }

  servesHost(host: string): boolean {
    return this.#index.servesHost(host);
  }

  match(req: CanonicalRequest): CompiledRoute | undefined {
    return this.#index.match(req);
  }

  rolesFor(identity: Identity): readonly string[] {
    return this.#roles.rolesFor(identity);
  }

  explain(
    identity: Identity | undefined,
    req: CanonicalRequest,
    ctx: EvaluationContext,
  ): {
    route: CompiledRoute | undefined;
    decision: ReturnType<CompiledRoute['evaluate']> | undefined;
    steps: ExplainStep[];
  } {
    const steps: ExplainStep[] = [];
    const route = this.#index.match(req);
    const where = `${req.method} ${req.scheme}://${req.host}${req.port === undefined ? '' : `:${req.port}`}${req.path}`;
    if (route === undefined) {
      steps.push({ rule: 'match', result: false, detail: `no route matches ${where}` });
      return { route: undefined, decision: undefined, steps };
    }
    steps.push({
      rule: 'match',
      result: true,
      detail: `${where} matches route ${route.id}${route.isPublic ? ' (public)' : ''}`,
    });
    if (identity !== undefined && this.#roles.names.length > 0) {
      const held = this.rolesFor(identity);
      steps.push({
        rule: 'roles',
        result: held.length > 0,
        detail: `roles held: ${held.length === 0 ? 'none' : held.join(', ')}`,
      });
    }
    const decision = route.decide(identity, req, ctx, steps);
    return { route, decision, steps };
  }
}
