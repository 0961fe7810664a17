import { decision, type Decision, type DecisionReason } from '../../core/index.js';
import {
  checkMfa,
  describeMfa,
  mergeMfa,
  type EvalInput,
  type MfaCheck,
} from '../criteria/index.js';
import type { ExplainStep } from '../types.js';
import type { PolicyProgram } from './policy.js';
import { TRUE, UNKNOWN, type Rule } from './rule.js';

function mfaDecision(
  routeId: string,
  reason: DecisionReason,
  rule: string,
  check: MfaCheck,
): Decision {
  return check.maxAgeSeconds === undefined
    ? decision('mfa', routeId, [reason], { rule })
    : decision('mfa', routeId, [reason], { rule, mfaMaxAge: check.maxAgeSeconds });
}

function noRuleReasons(allow: readonly Rule[], input: EvalInput): DecisionReason[] {
  const reasons = commonReason(allow, input);
  // RFC 6750 §3.1 insufficient_scope: some allow rule failed on nothing but a scope, so the
  // token lacks a scope that would have allowed the request.
  if (!reasons.includes('scope-missing') && allow.some((rule) => rule.failsOnlyOn('scope', input))) {
    return [...reasons, 'scope-missing'];
  }
  return reasons;
}

function commonReason(allow: readonly Rule[], input: EvalInput): DecisionReason[] {
  let specific: DecisionReason | undefined;
  for (const rule of allow) {
    const r = rule.failReason(input);
    if (r === undefined || (specific !== undefined && r !== specific)) return ['no-rule-allowed'];
    specific = r;
  }
  return specific === undefined || specific === 'no-rule-allowed'
    ? ['no-rule-allowed']
    : [specific, 'no-rule-allowed'];
}

const LOGIN: readonly DecisionReason[] = Object.freeze(['user-unauthenticated']);

/**
 * Decides one request under a compiled policy.
 *
 * - `public`: allow (`public-route`).
 * - deny rules first: one that holds → `deny` (`rule-denied`); deny wins over allow.
 * - allow rules in order: the first that holds (with its rule-level MFA satisfied) allows,
 *   subject to the route/policy MFA requirement (`mfa` effect with `mfa-required` / `mfa-too-old`).
 *   If none allows but one would with MFA → `mfa`.
 * - nothing allows → `deny` with `no-rule-allowed`, preceded by a specific reason
 *   (e.g. `group-missing`) when every allow rule failed on the same kind of criterion.
 * - without an identity, anything that is not allowed by rules needing no identity (and
 *   not possibly denied) is `login` (`user-unauthenticated`), never `deny`.
 *
 * @param routeMfa route-level MFA requirement, merged with the policy's.
 */
export function decide(
  program: PolicyProgram,
  routeMfa: MfaCheck | undefined,
  routeId: string,
  input: EvalInput,
  trace?: ExplainStep[],
): Decision {
  if (program.kind === 'public') {
    trace?.push({ rule: 'public', result: true, detail: 'public route: anyone may access' });
    return decision('allow', routeId, ['public-route'], { rule: 'public' });
  }
  const identity = input.identity;
  const label = program.label;
  for (const rule of program.deny) {
    const v = rule.evaluate(input, trace);
    if (v === TRUE || v === UNKNOWN) {
      if (identity === undefined) return decision('login', routeId, LOGIN, { rule: rule.name });
      const specific = rule.denyReason();
      return decision(
        'deny',
        routeId,
        specific === undefined ? ['rule-denied'] : ['rule-denied', specific],
        { rule: rule.name },
      );
    }
  }
  const policyMfa = mergeMfa(routeMfa, program.mfa);
  let pending: { rule: Rule; reason: DecisionReason; check: MfaCheck } | undefined;
  for (const rule of program.allow) {
    const v = rule.evaluate(input, trace);
    if (v !== TRUE) continue;
    if (rule.mfa !== undefined) {
      if (identity === undefined) continue;
      const reason = checkMfa(rule.mfa, identity, input.ctx.nowMs);
      trace?.push({
        rule: `${rule.name}.mfa`,
        result: reason === undefined,
        detail: describeMfa(rule.mfa, identity, input.ctx.nowMs),
      });
      if (reason !== undefined) {
        pending ??= { rule, reason, check: mergeMfa(rule.mfa, policyMfa) ?? rule.mfa };
        continue;
      }
    }
    if (policyMfa !== undefined) {
      const reason =
        identity === undefined ? 'mfa-required' : checkMfa(policyMfa, identity, input.ctx.nowMs);
      trace?.push({
        rule: `${label}mfa`,
        result: reason === undefined,
        detail: describeMfa(policyMfa, identity, input.ctx.nowMs),
      });
      if (identity === undefined) return decision('login', routeId, LOGIN, { rule: rule.name });
      if (reason !== undefined) return mfaDecision(routeId, reason, `${label}mfa`, policyMfa);
    }
    return decision('allow', routeId, ['rule-allowed'], { rule: rule.name });
  }
  if (pending !== undefined)
    return mfaDecision(routeId, pending.reason, pending.rule.name, pending.check);
  if (identity === undefined) return decision('login', routeId, LOGIN);
  return decision('deny', routeId, noRuleReasons(program.allow, input));
}
