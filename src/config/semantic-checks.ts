import path from 'node:path';
import { parseCidr } from './cidr.js';
import { formatKeyPath, type PathSegment } from './key-path.js';
import type { MfaRequirement, PolicyBody, RoutePolicy, RuleInput } from './policy-schema.js';
import type { ConfigProblem } from './types.js';
import { locate, positionOfNode, type YamlSource } from './yaml-source.js';

/**
 * What the cross-file checks need from the main file. Arrays keep the file's indexes
 * (`undefined` where an item was unusable) so problems point at the right item. Built from
 * the validated value, or item by item from the raw YAML when the file has schema problems.
 */
export interface MainFacts {
  readonly source: YamlSource;
  readonly idpIds: readonly (string | undefined)[];
  readonly trustedProxies: readonly (string | undefined)[];
  /** True when the main file has an `mfa:` section (Gatehouse's own MFA). */
  readonly mfaConfigured: boolean;
  /** Per identity provider (same indexes as `idpIds`): true when it sets `trust_idp_mfa`. */
  readonly idpTrustsMfa: readonly boolean[];
}

/** What the cross-file checks need from one policy file (see {@link MainFacts}). */
export interface PolicyFacts {
  readonly source: YamlSource;
  readonly routes: readonly (RouteFacts | undefined)[];
  /** Every named policy defined, with its body when that body is valid. */
  readonly policies: ReadonlyMap<string, PolicyBody | undefined>;
  /** Every role defined, with its rules when they are valid. */
  readonly roles: ReadonlyMap<string, readonly RuleInput[] | undefined>;
}

/** The parts of a route the checks read; each `undefined` when missing or invalid. */
export interface RouteFacts {
  readonly id: string | undefined;
  readonly idp: string | undefined;
  readonly policy: RoutePolicy | undefined;
  readonly mfa?: MfaRequirement | undefined;
}

/** Policy names with a built-in meaning; they cannot be defined under `policies:`. */
export const BUILTIN_POLICIES: readonly string[] = ['public', 'authenticated'];

interface Place {
  readonly source: YamlSource;
  readonly path: PathSegment[];
}

function at(place: Place, onKey: boolean): { file: string; line: number; column: number } {
  const loc = locate(place.source, place.path);
  const node = onKey && loc.exact ? (loc.keyNode ?? loc.node) : loc.node;
  return { file: place.source.file, ...positionOfNode(place.source, node) };
}

/** `line L, column C` in the same file, else `other.yaml:L:C` relative to `from`'s directory. */
function describePlace(place: Place, from: Place, onKey: boolean): string {
  const w = at(place, onKey);
  if (place.source.file === from.source.file) return `line ${w.line}, column ${w.column}`;
  return `${path.relative(path.dirname(from.source.file), w.file)}:${w.line}:${w.column}`;
}

/**
 * Cross-file checks, collecting every problem: duplicate identity provider ids, route ids,
 * named policies and roles (naming the first place); a route's `idp` or named `policy`, or a
 * rule's `role`, that nothing defines; redefinition of a built-in policy; a route demanding MFA
 * when neither `mfa:` is configured nor its identity provider has `trust_idp_mfa`. Warnings: CIDR
 * blocks with host bits set; no routes at all.
 * @param main facts of the main file; `undefined` when it is not even YAML (checks that need it are skipped).
 * @param policyFiles facts of the policy files that parsed as YAML.
 * @param complete true when every policy file parsed as YAML, so "is it defined" checks are sound.
 */
export function checkSemantics(
  main: MainFacts | undefined,
  policyFiles: readonly PolicyFacts[],
  complete: boolean,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (
    place: Place,
    message: string,
    severity: 'error' | 'warning' = 'error',
    onKey = false,
  ): void => {
    problems.push({ ...at(place, onKey), path: formatKeyPath(place.path), message, severity });
  };

  const idps = new Map<string, Place>();
  if (main !== undefined) {
    const { source } = main;
    main.idpIds.forEach((id, i) => {
      if (id === undefined) return;
      const place = { source, path: ['identity_providers', i, 'id'] };
      const first = idps.get(id);
      if (first === undefined) idps.set(id, place);
      else
        report(
          place,
          `duplicate identity provider id "${id}" (first defined at ${describePlace(first, place, false)})`,
        );
    });
    main.trustedProxies.forEach((text, i) => {
      const parsed = text === undefined ? undefined : parseCidr(text);
      if (parsed?.hostBitsSet === true) {
        report(
          { source, path: ['trusted_proxies', i] },
          `"${text ?? ''}" has host bits set; it means ${parsed.network}`,
          'warning',
        );
      }
    });
  }

  const policies = new Map<string, Place>();
  const roles = new Map<string, Place>();
  for (const file of policyFiles) {
    for (const name of file.policies.keys()) {
      const place = { source: file.source, path: ['policies', name] };
      const first = policies.get(name);
      if (BUILTIN_POLICIES.includes(name)) {
        report(place, `"${name}" is a built-in policy and cannot be redefined`, 'error', true);
      } else if (first !== undefined) {
        report(
          place,
          `duplicate policy "${name}" (first defined at ${describePlace(first, place, true)})`,
          'error',
          true,
        );
      } else policies.set(name, place);
    }
    for (const name of file.roles.keys()) {
      const place = { source: file.source, path: ['roles', name] };
      const first = roles.get(name);
      if (first !== undefined)
        report(
          place,
          `duplicate role "${name}" (first defined at ${describePlace(first, place, true)})`,
          'error',
          true,
        );
      else roles.set(name, place);
    }
  }

  const checkRules = (
    source: YamlSource,
    path: PathSegment[],
    rules: readonly RuleInput[] | undefined,
  ): void => {
    rules?.forEach((rule, i) => {
      checkRule(source, [...path, i], rule);
    });
  };
  const checkRule = (source: YamlSource, path: PathSegment[], rule: RuleInput): void => {
    const listed = locate(source, [...path, 'role', 0]).exact;
    rule.role?.forEach((name, i) => {
      if (complete && !roles.has(name)) {
        report(
          { source, path: listed ? [...path, 'role', i] : [...path, 'role'] },
          `unknown role "${name}"${known(roles)}`,
        );
      }
    });
    checkRules(source, [...path, 'any'], rule.any);
    checkRules(source, [...path, 'all'], rule.all);
    if (rule.not !== undefined) checkRule(source, [...path, 'not'], rule.not);
  };
  const checkBody = (source: YamlSource, path: PathSegment[], body: PolicyBody): void => {
    checkRules(source, [...path, 'allow'], body.allow);
    checkRules(source, [...path, 'deny'], body.deny);
  };

  const namedBodies = new Map<string, PolicyBody | undefined>();
  for (const file of policyFiles) for (const [name, body] of file.policies) namedBodies.set(name, body);

  const routeIds = new Map<string, Place>();
  let routeCount = 0;
  for (const { source, routes, policies: bodies, roles: roleRules } of policyFiles) {
    for (const [name, body] of bodies)
      if (body !== undefined) checkBody(source, ['policies', name], body);
    for (const [name, rules] of roleRules) checkRules(source, ['roles', name], rules);
    routes.forEach((route, i) => {
      routeCount++;
      if (route === undefined) return;
      if (route.id !== undefined) {
        const idPlace = { source, path: ['routes', i, 'id'] };
        const first = routeIds.get(route.id);
        if (first === undefined) routeIds.set(route.id, idPlace);
        else
          report(
            idPlace,
            `duplicate route id "${route.id}" (first defined at ${describePlace(first, idPlace, false)})`,
          );
      }
      if (route.idp !== undefined && main !== undefined && !idps.has(route.idp)) {
        report(
          { source, path: ['routes', i, 'idp'] },
          `unknown identity provider "${route.idp}"${known(idps)}`,
        );
      }
      if (main !== undefined && !main.mfaConfigured) {
        checkMfaAvailable(main, { source, path: ['routes', i] }, route, namedBodies, report);
      }
      const policy = route.policy;
      if (typeof policy === 'string') {
        if (complete && !BUILTIN_POLICIES.includes(policy) && !policies.has(policy)) {
          report(
            { source, path: ['routes', i, 'policy'] },
            `unknown policy "${policy}": define it under policies: or use ${BUILTIN_POLICIES.join(' or ')}`,
          );
        }
      } else if (policy !== undefined && ('allow' in policy || 'deny' in policy)) {
        checkBody(source, ['routes', i, 'policy'], policy);
      }
    });
  }
  if (main !== undefined && complete && routeCount === 0) {
    report(
      { source: main.source, path: ['policies_dir'] },
      'no routes are defined: every request will get 404',
      'warning',
    );
  }
  return problems;
}

/** True when a policy body demands MFA: at policy level or on one of its `allow` rules. */
function bodyDemandsMfa(body: PolicyBody | undefined): boolean {
  if (body === undefined) return false;
  if (body.mfa?.required === true) return true;
  return (body.allow ?? []).some((rule) => rule.mfa?.required === true);
}

/**
 * A route that demands MFA needs Gatehouse's `mfa:` section, unless its identity provider is
 * trusted to do MFA itself (`trust_idp_mfa`). Otherwise nobody could ever pass it.
 */
function checkMfaAvailable(
  main: MainFacts,
  place: Place,
  route: RouteFacts,
  namedBodies: ReadonlyMap<string, PolicyBody | undefined>,
  report: (place: Place, message: string) => void,
): void {
  const policy = route.policy;
  let body: PolicyBody | undefined;
  if (typeof policy === 'string') body = namedBodies.get(policy);
  else if (policy !== undefined && ('allow' in policy || 'mfa' in policy)) body = policy;
  const onRoute = route.mfa?.required === true;
  if (!onRoute && !bodyDemandsMfa(body)) return;
  const idpIndex = route.idp === undefined ? 0 : main.idpIds.indexOf(route.idp);
  if (idpIndex >= 0 && main.idpTrustsMfa[idpIndex] === true) return;
  const idp = main.idpIds[idpIndex];
  report(
    { source: place.source, path: [...place.path, onRoute ? 'mfa' : 'policy'] },
    `requires MFA, but the gateway has no mfa: section${idp === undefined ? '' : ` and identity provider "${idp}" has no trust_idp_mfa`}: add an mfa: section to the main config (docs/mfa.md)`,
  );
}

function known(names: ReadonlyMap<string, unknown>): string {
  const list = [...names.keys()];
  return list.length === 0 ? ' (none are defined)' : ` (defined: ${list.join(', ')})`;
}
