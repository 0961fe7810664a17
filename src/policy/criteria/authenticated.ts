import { yesNo, type Criterion } from './criterion.js';

/** `authenticated`: `true` holds when the request carries an identity, `false` when it does not. */
export function compileAuthenticated(value: boolean): Criterion {
  return Object.freeze({
    kind: 'authenticated' as const,
    needsIdentity: false,
    failReason: value ? ('user-unauthenticated' as const) : ('no-rule-allowed' as const),
    denyReason: undefined,
    test: (input) => (input.identity !== undefined) === value,
    describe: (input, held) =>
      `authenticated is ${value}: ${yesNo(held)} (${input.identity === undefined ? 'anonymous' : 'signed in'})`,
  } satisfies Criterion);
}
