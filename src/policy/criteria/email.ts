import { list, yesNo, type Criterion } from './criterion.js';

/**
 * `email`: the identity's email is one of the listed addresses, compared case-insensitively.
 * An email the IdP marked unverified (`email_verified: false`) never matches.
 */
export function compileEmail(values: readonly string[]): Criterion {
  const set = new Set(values.map((v) => v.toLowerCase()));
  return Object.freeze({
    kind: 'email' as const,
    needsIdentity: true,
    failReason: 'email-not-allowed' as const,
    denyReason: undefined,
    test: (input) => {
      const id = input.identity;
      return (
        id?.email !== undefined && id.emailVerified !== false && set.has(id.email.toLowerCase())
      );
    },
    describe: (input, held) =>
      `email in ${list(set)}: ${yesNo(held)} (email ${input.identity?.email ?? 'none'}${input.identity?.emailVerified === false ? ', unverified' : ''})`,
  } satisfies Criterion);
}
