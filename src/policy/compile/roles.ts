import type { CanonicalRequest, Identity } from '../../core/index.js';
import type { RuleInput } from '../../config/index.js';
import type { CompileScope, EvalInput, RoleLookup } from '../criteria/index.js';
import { TRUE, compileRule, type Rule } from './rule.js';

/** Role names referenced by `role:` criteria anywhere in a rule (deeply). */
export function referencedRoles(rule: RuleInput, out: Set<string> = new Set()): Set<string> {
  for (const r of rule.role ?? []) out.add(r);
  for (const sub of [...(rule.any ?? []), ...(rule.all ?? []), ...(rule.not ? [rule.not] : [])])
    referencedRoles(sub, out);
  return out;
}

/**
 * Finds cycles among role definitions (`a` uses `role: b`, `b` uses `role: a`).
 * @returns each cycle once, as the list of role names along it (`[a, b, a]`).
 */
export function findRoleCycles(roles: Readonly<Record<string, readonly RuleInput[]>>): string[][] {
  const deps = new Map<string, string[]>();
  for (const [name, rules] of Object.entries(roles)) {
    const refs = new Set<string>();
    for (const r of rules) referencedRoles(r, refs);
    deps.set(
      name,
      [...refs].filter((d) => Object.hasOwn(roles, d)),
    );
  }
  const state = new Map<string, 1 | 2>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const s = state.get(d);
      if (s === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of deps.keys()) if (!state.has(n)) visit(n);
  return cycles;
}

const NO_REQUEST: CanonicalRequest = Object.freeze({
  method: 'GET',
  host: 'roles.invalid',
  scheme: 'https' as const,
  path: '/',
  query: '',
  clientIp: '0.0.0.0',
});

/**
 * Compiled `roles:` section. A role is held when any of its rules holds; rules may use
 * identity criteria only (user, email, email_domain, group, claim, role, authenticated, not/any/all).
 * Results are cached per identity object in a WeakMap.
 */
export class RoleResolver {
  private readonly rules = new Map<string, readonly Rule[]>();
  private readonly cache = new WeakMap<
    Identity,
    { list: readonly string[]; set: ReadonlySet<string> }
  >();

  /** Compiles `roles`; the caller must have checked for cycles first (`findRoleCycles`). */
  constructor(
    roles: Readonly<Record<string, readonly RuleInput[]>>,
    scopeFor: (role: string) => CompileScope,
  ) {
    for (const [name, defs] of Object.entries(roles)) {
      const scope = scopeFor(name);
      this.rules.set(
        name,
        defs.map((r, i) =>
          compileRule(r, scope, `roles.${name}[${i}]`, `role:${name}[${i}]`, {
            topLevelAllow: false,
          }),
        ),
      );
    }
  }

  /** Names of the defined roles. */
  get names(): readonly string[] {
    return [...this.rules.keys()];
  }

  /** Roles of `identity`, in definition order. */
  rolesFor(identity: Identity): readonly string[] {
    return this.resolve(identity).list;
  }

  /** Roles of `identity` as a lookup set. */
  lookup(identity: Identity): RoleLookup {
    return this.resolve(identity).set;
  }

  private resolve(identity: Identity): { list: readonly string[]; set: ReadonlySet<string> } {
    const hit = this.cache.get(identity);
    if (hit !== undefined) return hit;
    const memo = new Map<string, boolean>();
    const lookup: RoleLookup = { has: (role) => held(role) };
    const input: EvalInput = {
      identity,
      req: NO_REQUEST,
      ctx: { nowMs: 0 },
      path: '/',
      rolesOf: () => lookup,
    };
    const held = (role: string): boolean => {
      const known = memo.get(role);
      if (known !== undefined) return known;
      memo.set(role, false); // cycles are rejected at compile time; this only guards recursion
      const value = (this.rules.get(role) ?? []).some((r) => r.evaluate(input) === TRUE);
      memo.set(role, value);
      return value;
    };
    const list = Object.freeze([...this.rules.keys()].filter((r) => held(r)));
    const result = { list, set: new Set(list) };
    this.cache.set(identity, result);
    return result;
  }
}
