import { list, yesNo, type Criterion } from './criterion.js';

/** `user`: the identity's subject (`sub`) is one of the listed values. Case-sensitive. */
export function compileUser(values: readonly string[]): Criterion {
  const set = new Set(values);
  return Object.freeze({
    kind: 'user' as const,
    needsIdentity: true,
    failReason: 'user-not-allowed' as const,
    denyReason: undefined,
    test: (input) => input.identity !== undefined && set.has(input.identity.sub),
    describe: (input, held) =>
      `user in ${list(set)}: ${yesNo(held)} (sub ${input.identity?.sub ?? 'none'})`,
  } satisfies Criterion);
}
