import type { RuleInput } from '../../config/index.js';
import { compileAuthenticated } from './authenticated.js';
import { compileClaim } from './claim.js';
import type { CompileScope, Criterion } from './criterion.js';
import { compileEmailDomain } from './email-domain.js';
import { compileEmail } from './email.js';
import { compileGroup } from './group.js';
import { compileMethod } from './method.js';
import { compilePath } from './path.js';
import { compileRole } from './role.js';
import { compileScope } from './scope.js';
import { compileSourceIp } from './source-ip.js';
import { compileTime } from './time.js';
import { compileUser } from './user.js';

export * from './criterion.js';
export { checkMfa, compileMfa, describeMfa, mergeMfa, type MfaCheck } from './mfa.js';
export { parseRange } from './source-ip.js';
export { localClock } from './time.js';

/** Criteria that depend on the request or its context, hence not allowed in role definitions. */
export const REQUEST_CRITERIA: ReadonlySet<string> = new Set([
  'method',
  'path',
  'source_ip',
  'scope',
  'time',
  'mfa',
]);

/**
 * Compiles one leaf criterion of a rule by its key.
 * @returns the criterion, or undefined for keys that are not leaf criteria (`any`, `all`, `not`, `mfa`).
 */
export function compileCriterion(
  key: keyof RuleInput,
  rule: RuleInput,
  scope: CompileScope,
  at: string,
): Criterion | undefined {
  switch (key) {
    case 'user':
      return rule.user && compileUser(rule.user);
    case 'email':
      return rule.email && compileEmail(rule.email);
    case 'email_domain':
      return rule.email_domain && compileEmailDomain(rule.email_domain, scope, at);
    case 'group':
      return rule.group && compileGroup(rule.group);
    case 'role':
      return rule.role && compileRole(rule.role, scope, at);
    case 'claim':
      return rule.claim && compileClaim(rule.claim, scope, at);
    case 'method':
      return rule.method && compileMethod(rule.method, scope, at);
    case 'path':
      return rule.path && compilePath(rule.path, scope, at);
    case 'source_ip':
      return rule.source_ip && compileSourceIp(rule.source_ip, scope, at);
    case 'authenticated':
      return rule.authenticated === undefined
        ? undefined
        : compileAuthenticated(rule.authenticated);
    case 'scope':
      return rule.scope && compileScope(rule.scope);
    case 'time':
      return rule.time && compileTime(rule.time, scope, at);
    case 'mfa':
    case 'any':
    case 'all':
    case 'not':
      return undefined;
  }
}
