import { compilePathMatcher, type PathMatcher } from '../matching/path-matcher.js';
import { list, yesNo, type CompileScope, type Criterion } from './criterion.js';

/**
 * `path`: the request path matches one of the patterns. A pattern containing `*` is a glob
 * (`*` within a segment, `**` across segments); otherwise it is a segment-aware prefix
 * (`/admin` matches `/admin` and `/admin/x`, not `/administrator`). Patterns follow the
 * route's `case_insensitive_paths` and are compared with the matching path (path parameters stripped).
 */
export function compilePath(
  values: readonly string[],
  scope: CompileScope,
  key: string,
): Criterion {
  const matchers: PathMatcher[] = [];
  values.forEach((v, i) => {
    const m = compilePathMatcher(
      { kind: /[*?[\]{}]/.test(v) ? 'glob' : 'prefix', pattern: v },
      scope.caseInsensitivePaths,
    );
    if (typeof m === 'string')
      scope.problem(`${key}[${i}]`, `invalid path ${JSON.stringify(v)}: ${m}`);
    else matchers.push(m);
  });
  return Object.freeze({
    kind: 'path' as const,
    needsIdentity: false,
    failReason: 'path-denied' as const,
    denyReason: 'path-denied' as const,
    test: (input) => matchers.some((m) => m.test(input.path)),
    describe: (input, held) => `path in ${list(values)}: ${yesNo(held)} (${input.path})`,
  } satisfies Criterion);
}
