import type { Identity } from '../../../src/core/index.js';

/** A plausible identity for tests; override any field. */
export function identity(overrides: Partial<Identity> = {}): Identity {
  return {
    issuer: 'https://idp.example.com',
    sub: 'user-123',
    user: 'alice',
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Example',
    preferredUsername: 'alice',
    groups: ['staff', 'admins'],
    roles: ['editor'],
    amr: ['pwd', 'otp'],
    authTime: 1_767_225_000,
    claims: { department: 'R&D', address: { locality: 'Berlin' }, 'https://example.com/role': 'lead' },
    ...overrides,
  };
}

export const IDENTITY_HEADERS = {
  user: 'X-Forwarded-User',
  email: 'X-Forwarded-Email',
  preferred_username: 'X-Forwarded-Preferred-Username',
  groups: 'X-Forwarded-Groups',
} as const;
