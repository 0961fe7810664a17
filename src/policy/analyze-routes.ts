import type { ConfigProblem, LoadedRoute, RuleInput } from '../config/index.js';
import { routeHostPatterns, routeKeys, routePathMatcher } from './compile-route-table.js';
import { ProblemCollector, UNKNOWN_POSITION } from './compile/problems.js';
import { referencedRoles } from './compile/roles.js';
import { hostCovers, hostsOverlap, type HostPattern } from './matching/host-pattern.js';
import { underPrefix, type PathMatcher } from './matching/path-matcher.js';
import type { RouteTableInput } from './types.js';

interface Shape {
  readonly route: LoadedRoute;
  readonly key: string;
  readonly hosts: readonly HostPattern[];
  readonly path: PathMatcher;
  readonly ci: boolean;
  readonly methods: ReadonlySet<string> | undefined;
  readonly isPublic: boolean;
  readonly policyKey: string;
}

function lower(s: string, ci: boolean): string {
  return ci ? s.toLowerCase() : s;
}

/** The path region a matcher stays inside (segment-wise prefix); for globs, their literal prefix. */
function region(m: PathMatcher): string {
  return m.kind === 'any' ? '/' : m.kind === 'glob' ? m.literalPrefix : m.pattern;
}

/** True when every path `b` matches is matched by `a`. Conservative: false when unsure. */
function pathCovers(a: Shape, b: Shape): boolean {
  if (a.path.kind === 'any') return true;
  if (b.ci && !a.ci) return false;
  const bp = lower(b.path.pattern, a.ci);
  const bRegion = lower(region(b.path), a.ci);
  switch (a.path.kind) {
    case 'prefix':
      return b.path.kind !== 'any' && underPrefix(bRegion, a.path.pattern);
    case 'exact':
      return b.path.kind === 'exact' && bp === a.path.pattern;
    case 'glob': {
      if (b.path.kind === 'exact') return a.path.test(bp);
      const m = /^(.*)\/\*\*$/.exec(a.path.pattern);
      const lit = m?.[1];
      return (
        lit !== undefined &&
        !lit.includes('*') &&
        b.path.kind !== 'any' &&
        underPrefix(bRegion, lit === '' ? '/' : lit)
      );
    }
  }
}

function pathsOverlap(a: Shape, b: Shape): boolean {
  const ci = a.ci || b.ci;
  const ra = lower(region(a.path), ci);
  const rb = lower(region(b.path), ci);
  if (a.path.kind === 'exact' && b.path.kind === 'exact') return ra === rb;
  return underPrefix(ra, rb) || underPrefix(rb, ra);
}

function methodsCover(a: Shape, b: Shape): boolean {
  if (a.methods === undefined) return true;
  if (b.methods === undefined) return false;
  return [...b.methods].every((m) => a.methods?.has(m) === true);
}

function methodsOverlap(a: Shape, b: Shape): boolean {
  if (a.methods === undefined || b.methods === undefined) return true;
  return [...a.methods].some((m) => b.methods?.has(m) === true);
}

function hostsCover(a: Shape, b: Shape): boolean {
  if (a.hosts.length === 0) return true;
  if (b.hosts.length === 0) return false;
  return b.hosts.every((hb) => a.hosts.some((ha) => hostCovers(ha, hb)));
}

function hostSetsOverlap(a: Shape, b: Shape): boolean {
  if (a.hosts.length === 0 || b.hosts.length === 0) return true;
  return a.hosts.some((ha) => b.hosts.some((hb) => hostsOverlap(ha, hb)));
}

function where(r: LoadedRoute): string {
  return r.source.line > 0 ? `${r.source.file}:${r.source.line}` : r.source.file;
}

function describeMatch(s: Shape): string {
  const host = s.hosts.length === 0 ? '*' : s.hosts.map((h) => h.text).join(',');
  const path =
    s.path.kind === 'any'
      ? '/'
      : `${s.path.kind === 'prefix' ? '' : `${s.path.kind} `}${s.path.pattern}`;
  return `${host} ${path}${s.methods === undefined ? '' : ` [${[...s.methods].join(',')}]`}`;
}

/**
 * Static analysis of routes for `gatehouse check`. Returns warnings (severity `warning`) for:
 * - shadowed routes: an earlier route matches every request a later one would (same or broader
 *   host, covering path, no narrower method list), so the later one is never used;
 * - a public route overlapping a protected one (its path region contains the other's);
 * - other overlapping routes with different policies (the earlier one decides the overlap);
 * - roles referenced but never defined (also a compile error; reported here so that `check`
 *   can show it as a warning when run on its own), named policies defined but never used, policies without any allow rule (they deny everything).
 * Routes whose host or path cannot be compiled are skipped (compile reports them as errors).
 * Groups in policies are not checked: they come from the IdP.
 */
export function analyzeRoutes(input: RouteTableInput): ConfigProblem[] {
  const out = new ProblemCollector();
  const keys = routeKeys(input);
  const shapes: Shape[] = [];
  input.routes.forEach((route, i) => {
    const bad: string[] = [];
    const hosts = routeHostPatterns(route.match.host, (_j, m) => bad.push(m));
    const path = routePathMatcher(route.match, route.case_insensitive_paths);
    if (bad.length > 0 || !('test' in path)) return;
    shapes.push({
      route,
      key: keys[i] ?? `routes[${i}]`,
      hosts,
      path,
      ci: route.case_insensitive_paths,
      methods:
        route.match.methods === undefined
          ? undefined
          : new Set(route.match.methods.map((m) => m.toUpperCase())),
      isPublic: route.policy === 'public',
      policyKey: JSON.stringify([route.policy, route.mfa ?? null]),
    });
  });

  const shadowed = new Set<Shape>();
  shapes.forEach((b, j) => {
    for (const a of shapes.slice(0, j)) {
      if (shadowed.has(a)) continue;
      if (hostsCover(a, b) && pathCovers(a, b) && methodsCover(a, b)) {
        out.add(
          b.route.source,
          b.key,
          `route ${JSON.stringify(b.route.id)} is never used: route ${JSON.stringify(a.route.id)} (${where(a.route)}) comes first and matches every request it would match`,
          'warning',
        );
        shadowed.add(b);
        return;
      }
    }
    for (const a of shapes.slice(0, j)) {
      if (shadowed.has(a) || a.policyKey === b.policyKey) continue;
      if (!(hostSetsOverlap(a, b) && methodsOverlap(a, b) && pathsOverlap(a, b))) continue;
      const pub = a.isPublic && !b.isPublic ? a : b.isPublic && !a.isPublic ? b : undefined;
      const prot = pub === a ? b : a;
      if (
        pub !== undefined &&
        underPrefix(
          lower(region(prot.path), pub.ci || prot.ci),
          lower(region(pub.path), pub.ci || prot.ci),
        )
      ) {
        const detail =
          pub === a
            ? `comes first, so it makes some of those requests public`
            : `only the route order keeps ${JSON.stringify(prot.route.id)} protected`;
        out.add(
          b.route.source,
          b.key,
          `public route ${JSON.stringify(pub.route.id)} (${describeMatch(pub)}) overlaps protected route ${JSON.stringify(prot.route.id)} (${describeMatch(prot)}): ${detail}`,
          'warning',
        );
      } else {
        out.add(
          b.route.source,
          b.key,
          `route ${JSON.stringify(b.route.id)} (${describeMatch(b)}) overlaps route ${JSON.stringify(a.route.id)} (${describeMatch(a)}, ${where(a.route)}) with a different policy; the earlier route decides requests matching both`,
          'warning',
        );
      }
    }
  });

  analyzeNames(input, keys, out);
  return out.problems;
}

function analyzeNames(
  input: RouteTableInput,
  keys: readonly string[],
  out: ProblemCollector,
): void {
  const rolePos = (n: string) => input.sources?.roles?.[n] ?? UNKNOWN_POSITION;
  const policyPos = (n: string) => input.sources?.policies?.[n] ?? UNKNOWN_POSITION;
  const usedPolicies = new Set<string>();
  const collect = (
    rules: readonly RuleInput[] | undefined,
    report: (role: string) => void,
  ): void => {
    for (const r of rules ?? []) {
      for (const role of referencedRoles(r)) {
        if (!Object.hasOwn(input.roles, role)) report(role);
      }
    }
  };
  const undefinedRole = (pos: typeof UNKNOWN_POSITION, key: string) => (role: string) => {
    out.add(
      pos,
      key,
      `role ${JSON.stringify(role)} is referenced but never defined under roles:`,
      'warning',
    );
  };
  input.routes.forEach((route, i) => {
    const key = `${keys[i] ?? `routes[${i}]`}.policy`;
    const p = route.policy;
    if (typeof p === 'string') usedPolicies.add(p);
    else if ('allow' in p || 'deny' in p || 'mfa' in p) {
      const body = p as { allow?: RuleInput[]; deny?: RuleInput[] };
      collect(body.allow, undefinedRole(route.source, key));
      collect(body.deny, undefinedRole(route.source, key));
      if ((body.allow ?? []).length === 0)
        out.add(
          route.source,
          key,
          'this policy has no allow rule: every request is denied',
          'warning',
        );
    }
  });
  for (const [name, body] of Object.entries(input.policies)) {
    collect(body.allow, undefinedRole(policyPos(name), `policies.${name}`));
    collect(body.deny, undefinedRole(policyPos(name), `policies.${name}`));
    if ((body.allow ?? []).length === 0)
      out.add(
        policyPos(name),
        `policies.${name}`,
        'this policy has no allow rule: every request is denied',
        'warning',
      );
    if (!usedPolicies.has(name))
      out.add(
        policyPos(name),
        `policies.${name}`,
        `policy ${JSON.stringify(name)} is defined but no route uses it`,
        'warning',
      );
  }
  for (const [name, rules] of Object.entries(input.roles))
    collect(rules, undefinedRole(rolePos(name), `roles.${name}`));
}
