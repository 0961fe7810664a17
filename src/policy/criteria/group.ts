import { list, yesNo, type Criterion } from './criterion.js';

/** `group`: the identity is in at least one of the listed groups (names compared exactly, as the IdP sends them). */
export function compileGroup(values: readonly string[]): Criterion {
  const set = new Set(values);
  return Object.freeze({
    kind: 'group' as const,
    needsIdentity: true,
    failReason: 'group-missing' as const,
    denyReason: undefined,
    test: (input) => input.identity !== undefined && input.identity.groups.some((g) => set.has(g)),
    describe: (input, held) =>
      `group in ${list(set)}: ${yesNo(held)} (groups ${list(input.identity?.groups ?? [])})`,
  } satisfies Criterion);
}
