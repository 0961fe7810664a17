import type { DecisionReason } from '../../core/index.js';
import type { RuleInput } from '../../config/index.js';
import {
  REQUEST_CRITERIA,
  compileCriterion,
  compileMfa,
  type CompileScope,
  type Criterion,
  type EvalInput,
  type MfaCheck,
} from '../criteria/index.js';
import type { ExplainStep } from '../types.js';

/** Three-valued result of a rule: it cannot be known without an identity (Kleene logic). */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
export type Tri = typeof FALSE | typeof TRUE | typeof UNKNOWN;

type Part =
  | { readonly t: 'criterion'; readonly c: Criterion }
  | { readonly t: 'any' | 'all'; readonly rules: readonly Rule[] }
  | { readonly t: 'not'; readonly rule: Rule };

/**
 * A compiled rule: all its parts must hold (criteria, `any`, `all`, `not`). Evaluation is
 * three-valued: criteria that need an identity are UNKNOWN without one; `not` keeps UNKNOWN.
 * With a `trace`, every rule evaluated appends an explanation step (same short-circuiting).
 */
export class Rule {
  constructor(
    readonly name: string,
    private readonly parts: readonly Part[],
    /** Rule-level MFA requirement (top-level allow rules only). */
    readonly mfa: MfaCheck | undefined,
  ) {}

  evaluate(input: EvalInput, trace?: ExplainStep[]): Tri {
    if (trace !== undefined) return this.traced(input, trace);
    let result: Tri = TRUE;
    for (const part of this.parts) {
      const v = evalPart(part, input, undefined);
      if (v === FALSE) return FALSE;
      if (v === UNKNOWN) result = UNKNOWN;
    }
    return result;
  }

  private traced(input: EvalInput, trace: ExplainStep[]): Tri {
    const at = trace.length;
    trace.push({ rule: this.name, result: false, detail: '' });
    const details: string[] = [];
    let result: Tri = TRUE;
    try {
      for (const part of this.parts) {
        const v = evalPart(part, input, trace);
        details.push(describePart(part, input, v));
        if (v === FALSE) {
          result = FALSE;
          break;
        }
        if (v === UNKNOWN) result = UNKNOWN;
      }
    } catch (err) {
      trace[at] = {
        rule: this.name,
        result: false,
        detail: [...details, 'evaluation failed'].join('; '),
      };
      throw err;
    }
    const suffix = result === UNKNOWN ? ' => unknown until the user signs in' : '';
    trace[at] = { rule: this.name, result: result === TRUE, detail: details.join('; ') + suffix };
    return result;
  }

  /** The reason of the first failing criterion, when the rule fails on a plain criterion. */
  failReason(input: EvalInput): DecisionReason | undefined {
    for (const part of this.parts) {
      if (evalPart(part, input, undefined) === FALSE)
        return part.t === 'criterion' ? part.c.failReason : undefined;
    }
    return undefined;
  }

  /** True when the rule fails and every part that fails is a plain criterion of `kind`. */
  failsOnlyOn(kind: string, input: EvalInput): boolean {
    let failed = false;
    for (const part of this.parts) {
      if (evalPart(part, input, undefined) !== FALSE) continue;
      if (part.t !== 'criterion' || part.c.kind !== kind) return false;
      failed = true;
    }
    return failed;
  }

  /** For a deny rule made of a single criterion with a specific reason (method, path, source_ip). */
  denyReason(): DecisionReason | undefined {
    const only = this.parts.length === 1 ? this.parts[0] : undefined;
    return only?.t === 'criterion' ? only.c.denyReason : undefined;
  }

  /** True when some part (deeply) is of one of the given kinds. */
  uses(kind: string): boolean {
    return this.parts.some((p) =>
      p.t === 'criterion'
        ? p.c.kind === kind
        : p.t === 'not'
          ? p.rule.uses(kind)
          : p.rules.some((r) => r.uses(kind)),
    );
  }
}

function evalPart(part: Part, input: EvalInput, trace: ExplainStep[] | undefined): Tri {
  switch (part.t) {
    case 'criterion':
      if (part.c.needsIdentity && input.identity === undefined) return UNKNOWN;
      return part.c.test(input) ? TRUE : FALSE;
    case 'any': {
      let result: Tri = FALSE;
      for (const r of part.rules) {
        const v = r.evaluate(input, trace);
        if (v === TRUE) return TRUE;
        if (v === UNKNOWN) result = UNKNOWN;
      }
      return result;
    }
    case 'all': {
      let result: Tri = TRUE;
      for (const r of part.rules) {
        const v = r.evaluate(input, trace);
        if (v === FALSE) return FALSE;
        if (v === UNKNOWN) result = UNKNOWN;
      }
      return result;
    }
    case 'not': {
      const v = part.rule.evaluate(input, trace);
      return v === UNKNOWN ? UNKNOWN : v === TRUE ? FALSE : TRUE;
    }
  }
}

function describePart(part: Part, input: EvalInput, v: Tri): string {
  const word = v === TRUE ? 'yes' : v === FALSE ? 'no' : 'unknown';
  switch (part.t) {
    case 'criterion':
      return v === UNKNOWN
        ? `${part.c.kind}: needs a signed-in user`
        : part.c.describe(input, v === TRUE);
    case 'any':
    case 'all':
      return `${part.t} of ${part.rules.length} rules: ${word}`;
    case 'not':
      return `not (${part.rule.name}): ${word}`;
  }
}

/** Where a rule sits, which decides what it may contain. */
export interface RuleSite {
  /** Top level of an `allow` list: the only place a rule-level `mfa` is allowed. */
  readonly topLevelAllow: boolean;
}

/**
 * Compiles a rule from the configuration. Problems (unknown role, bad CIDR, bad glob,
 * unknown time zone, `mfa` in the wrong place, request criteria inside role definitions)
 * are reported to `scope` with key paths below `key`.
 */
export function compileRule(
  input: RuleInput,
  scope: CompileScope,
  key: string,
  name: string,
  site: RuleSite,
): Rule {
  const parts: Part[] = [];
  let mfa: MfaCheck | undefined;
  for (const k of Object.keys(input) as (keyof RuleInput)[]) {
    if (input[k] === undefined) continue;
    const at = `${key}.${k}`;
    if (scope.inRoleDefinition && REQUEST_CRITERIA.has(k)) {
      scope.problem(
        at,
        `"${k}" cannot be used in a role definition: roles depend on the identity only`,
      );
      continue;
    }
    if (k === 'mfa') {
      if (!site.topLevelAllow)
        scope.problem(
          at,
          'mfa is allowed only at the top level of an allow rule, or on the policy or route',
        );
      else mfa = compileMfa(input.mfa);
      continue;
    }
    if (k === 'any' || k === 'all') {
      const rules = (input[k] ?? []).map((r, i) =>
        compileRule(r, scope, `${at}[${i}]`, `${name}.${k}[${i}]`, { topLevelAllow: false }),
      );
      parts.push({ t: k, rules });
      continue;
    }
    if (k === 'not') {
      if (input.not !== undefined)
        parts.push({
          t: 'not',
          rule: compileRule(input.not, scope, at, `${name}.not`, { topLevelAllow: false }),
        });
      continue;
    }
    const c = compileCriterion(k, input, scope, at);
    if (c !== undefined) parts.push({ t: 'criterion', c });
  }
  return new Rule(name, parts, mfa);
}
