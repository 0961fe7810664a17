import type { ClaimCriterion } from '../../config/index.js';
import { parseClaimPath, readClaim } from '../claim-path.js';
import { yesNo, type CompileScope, type Criterion } from './criterion.js';

type Scalar = string | number | boolean;

/**
 * `claim`: a value from `identity.claims` at `path` (see `parseClaimPath`) compared with exactly one of:
 * - `equals`: strictly equal (same type: `true` does not equal `"true"`);
 * - `one_of`: a scalar claim strictly equal to one of the values;
 * - `contains`: an array claim includes the value, or a string claim contains it as a substring.
 */
export function compileClaim(c: ClaimCriterion, scope: CompileScope, key: string): Criterion {
  const parsed = parseClaimPath(c.path);
  if (typeof parsed === 'string') scope.problem(`${key}.path`, parsed);
  const path = typeof parsed === 'string' ? [] : parsed;
  let op: string;
  let compare: (v: unknown) => boolean;
  if (c.equals !== undefined) {
    const want = c.equals;
    op = `equals ${JSON.stringify(want)}`;
    compare = (v) => v === want;
  } else if (c.one_of !== undefined) {
    const set = new Set<Scalar>(c.one_of);
    op = `one_of ${JSON.stringify(c.one_of)}`;
    compare = (v) =>
      (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && set.has(v);
  } else {
    const want = c.contains;
    op = `contains ${JSON.stringify(want)}`;
    compare = (v) =>
      Array.isArray(v)
        ? v.includes(want)
        : typeof v === 'string' && typeof want === 'string' && v.includes(want);
  }
  return Object.freeze({
    kind: 'claim' as const,
    needsIdentity: true,
    failReason: 'claim-mismatch' as const,
    denyReason: undefined,
    test: (input) =>
      input.identity !== undefined &&
      path.length > 0 &&
      compare(readClaim(input.identity.claims, path)),
    describe: (input, held) => {
      const v = input.identity === undefined ? undefined : readClaim(input.identity.claims, path);
      return `claim ${c.path} ${op}: ${yesNo(held)} (value ${v === undefined ? 'absent' : JSON.stringify(v)})`;
    },
  } satisfies Criterion);
}
