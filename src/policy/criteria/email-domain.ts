import { list, yesNo, type CompileScope, type Criterion } from './criterion.js';

/** The domain part of an address, lower case ('' when there is none). */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).toLowerCase();
}

/**
 * `email_domain`: the domain of the identity's (verified) email is one of the listed domains,
 * case-insensitively and exactly (`example.com` does not match `sub.example.com`). A leading
 * `@` in the configuration is ignored.
 */
export function compileEmailDomain(
  values: readonly string[],
  scope: CompileScope,
  key: string,
): Criterion {
  const domains = values.map((v) => (v.startsWith('@') ? v.slice(1) : v).toLowerCase());
  domains.forEach((d, i) => {
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(d))
      scope.problem(`${key}[${i}]`, `invalid email domain ${JSON.stringify(values[i])}`);
  });
  const set = new Set(domains);
  return Object.freeze({
    kind: 'email_domain' as const,
    needsIdentity: true,
    failReason: 'email-domain-not-allowed' as const,
    denyReason: undefined,
    test: (input) => {
      const id = input.identity;
      return (
        id?.email !== undefined && id.emailVerified !== false && set.has(emailDomain(id.email))
      );
    },
    describe: (input, held) =>
      `email_domain in ${list(set)}: ${yesNo(held)} (email ${input.identity?.email ?? 'none'})`,
  } satisfies Criterion);
}
