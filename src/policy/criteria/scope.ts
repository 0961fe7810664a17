import { list, yesNo, type Criterion } from './criterion.js';

/**
 * `scope`: the bearer token that carried the identity has at least one of the listed OAuth
 * scopes (`EvaluationContext.scopes`). Session logins carry no scopes, so this never holds for them.
 */
export function compileScope(values: readonly string[]): Criterion {
  const set = new Set(values);
  return Object.freeze({
    kind: 'scope' as const,
    needsIdentity: true,
    failReason: 'scope-missing' as const,
    denyReason: undefined,
    test: (input) => input.ctx.scopes?.some((s) => set.has(s)) === true,
    describe: (input, held) =>
      `scope in ${list(set)}: ${yesNo(held)} (scopes ${list(input.ctx.scopes ?? [])})`,
  } satisfies Criterion);
}
