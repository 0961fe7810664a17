/**
 * DEVELOPMENT ONLY — never use in production. The built-in users of the demo identity provider
 * (`gatehouse demo`, tests). Passwords are in clear text on purpose: they are printed in the docs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** A user of the development IdP. `sub` is stable across restarts. */
export interface DevUser {
  /** Login name, also the `preferred_username` claim. */
  readonly username: string;
  /** Clear-text password (development only). */
  readonly password: string;
  /** Subject identifier (OIDC Core §2 `sub`); stable per user. */
  readonly sub: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name: string;
  readonly groups: readonly string[];
}

/**
 * The default demo users: `alice` / `wonderland` (groups engineering, admins) and
 * `bob` / `builder` (group sales).
 */
export const DEFAULT_DEV_USERS: readonly DevUser[] = Object.freeze([
  Object.freeze({
    username: 'alice',
    password: 'wonderland',
    sub: 'b8f3a1c2-5d4e-4f6a-9b7c-0a1b2c3d4e5f',
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Liddell',
    groups: Object.freeze(['engineering', 'admins']),
  }),
  Object.freeze({
    username: 'bob',
    password: 'builder',
    sub: '3c2d1e0f-9a8b-4c7d-8e6f-5a4b3c2d1e0f',
    email: 'bob@example.com',
    emailVerified: true,
    name: 'Bob Builder',
    groups: Object.freeze(['sales']),
  }),
]);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Finds the user whose username and password match, comparing the password in constant time
 * (digests of equal length). Returns `undefined` for an unknown user or a wrong password.
 */
export function authenticateDevUser(
  users: readonly DevUser[],
  username: string,
  password: string,
): DevUser | undefined {
  const user = users.find((u) => u.username === username);
  // Compare against a dummy when the user is unknown, so both paths do the same work.
  const expected = digest(user?.password ?? '\u0000no-such-user');
  const ok = timingSafeEqual(expected, digest(password));
  return ok && user !== undefined ? user : undefined;
}

/** The standard claims of a user (OIDC Core §5.1) plus `groups`. */
export function devUserClaims(user: DevUser): Record<string, unknown> {
  return {
    sub: user.sub,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    preferred_username: user.username,
    groups: [...user.groups],
  };
}
