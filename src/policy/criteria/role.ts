import { list, yesNo, type CompileScope, type Criterion } from './criterion.js';

/**
 * `role`: the identity holds at least one of the listed gateway roles (from the `roles:`
 * section, see `RouteTable.rolesFor`). Naming an undefined role is a configuration error.
 */
export function compileRole(
  values: readonly string[],
  scope: CompileScope,
  key: string,
): Criterion {
  values.forEach((r, i) => {
    if (!scope.roleNames.has(r))
      scope.problem(`${key}[${i}]`, `unknown role ${JSON.stringify(r)}: define it under roles:`);
  });
  const roles = [...new Set(values)];
  return Object.freeze({
    kind: 'role' as const,
    needsIdentity: true,
    failReason: 'role-missing' as const,
    denyReason: undefined,
    test: (input) => {
      const id = input.identity;
      if (id === undefined) return false;
      const held = input.rolesOf(id);
      return roles.some((r) => held.has(r));
    },
    describe: (input, held) => {
      const id = input.identity;
      const have = id === undefined ? [] : roles.filter((r) => input.rolesOf(id).has(r));
      return `role in ${list(roles)}: ${yesNo(held)}${have.length > 0 ? ` (holds ${list(have)})` : ''}`;
    },
  } satisfies Criterion);
}
