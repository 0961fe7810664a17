import type { AllowListPolicy, PolicyBody, RoutePolicy, RuleInput } from '../../config/index.js';
import { compileMfa, type CompileScope, type MfaCheck } from '../criteria/index.js';
import { compileRule, type Rule } from './rule.js';

/** A policy compiled into rule closures. */
export interface PolicyProgram {
  /** `public`: allowed for everyone; `rules`: decided by deny/allow rules. */
  readonly kind: 'public' | 'rules';
  /** Prefix of rule names in decisions: '' for inline policies, `policy:<name> ` for named ones. */
  readonly label: string;
  readonly deny: readonly Rule[];
  readonly allow: readonly Rule[];
  /** Policy-level MFA requirement (applies to any allow). */
  readonly mfa: MfaCheck | undefined;
  /** True when some rule has a `path` criterion (the matching path must then be computed). */
  readonly usesPath: boolean;
}

/** Policy names with built-in meaning. */
export const BUILTIN_POLICIES: ReadonlySet<string> = new Set(['public', 'authenticated']);

/** The public policy: everyone, with or without identity. */
export const PUBLIC_PROGRAM: PolicyProgram = Object.freeze({
  kind: 'public' as const,
  label: '',
  deny: [],
  allow: [],
  mfa: undefined,
  usesPath: false,
});

/**
 * Desugars the allow-list shorthand `{ groups, emails, email_domains }` into allow rules,
 * one per present list, in that order: `allow[0]` groups, then emails, then email domains.
 */
export function desugarAllowList(p: AllowListPolicy): PolicyBody {
  const allow: RuleInput[] = [];
  if (p.groups !== undefined && p.groups.length > 0) allow.push({ group: p.groups });
  if (p.emails !== undefined && p.emails.length > 0) allow.push({ email: p.emails });
  if (p.email_domains !== undefined && p.email_domains.length > 0)
    allow.push({ email_domain: p.email_domains });
  return { allow };
}

/** True when a route policy is the allow-list shorthand rather than an inline body. */
export function isAllowList(p: Exclude<RoutePolicy, string>): p is AllowListPolicy {
  return 'groups' in p || 'emails' in p || 'email_domains' in p;
}

/** Compiles a policy body: `deny` rules, `allow` rules (in order), policy-level `mfa`. */
export function compilePolicyBody(
  body: PolicyBody,
  scope: CompileScope,
  key: string,
  label: string,
): PolicyProgram {
  const deny = (body.deny ?? []).map((r, i) =>
    compileRule(r, scope, `${key}.deny[${i}]`, `${label}deny[${i}]`, { topLevelAllow: false }),
  );
  const allow = (body.allow ?? []).map((r, i) =>
    compileRule(r, scope, `${key}.allow[${i}]`, `${label}allow[${i}]`, { topLevelAllow: true }),
  );
  return Object.freeze({
    kind: 'rules' as const,
    label,
    deny,
    allow,
    mfa: compileMfa(body.mfa),
    usesPath: [...deny, ...allow].some((r) => r.uses('path')),
  });
}

/** The built-in `authenticated` policy: any signed-in user. */
export function authenticatedProgram(scope: CompileScope): PolicyProgram {
  const rule = compileRule({ authenticated: true }, scope, 'authenticated', 'authenticated', {
    topLevelAllow: true,
  });
  return Object.freeze({
    kind: 'rules' as const,
    label: '',
    deny: [],
    allow: [rule],
    mfa: undefined,
    usesPath: false,
  });
}
