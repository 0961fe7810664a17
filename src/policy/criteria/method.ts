import { list, yesNo, type CompileScope, type Criterion } from './criterion.js';

/** `method`: the request method is one of the listed ones (upper case). */
export function compileMethod(
  values: readonly string[],
  scope: CompileScope,
  key: string,
): Criterion {
  const methods = values.map((m) => m.toUpperCase());
  methods.forEach((m, i) => {
    if (!/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(m))
      scope.problem(`${key}[${i}]`, `invalid method ${JSON.stringify(m)}`);
  });
  const set = new Set(methods);
  return Object.freeze({
    kind: 'method' as const,
    needsIdentity: false,
    failReason: 'method-denied' as const,
    denyReason: 'method-denied' as const,
    test: (input) => set.has(input.req.method),
    describe: (input, held) => `method in ${list(set)}: ${yesNo(held)} (${input.req.method})`,
  } satisfies Criterion);
}
