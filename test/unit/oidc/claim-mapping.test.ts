import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { claimMappingSchema } from '../../../src/config/index.js';
import { isGatewayError } from '../../../src/core/index.js';
import { claimAtPath, mapClaimsToIdentity, mergeUserinfo } from '../../../src/oidc/index.js';

const defaults = claimMappingSchema.parse({});
const ISS = 'https://idp.example.com';

describe('claimAtPath', () => {
  const claims = {
    realm_access: { roles: ['admin', 'user'] },
    'https://example.com/groups': ['a'],
    nested: { list: [{ x: 1 }] },
    plain: 'v',
  };

  it.each([
    ['plain', 'v'],
    ['realm_access.roles', ['admin', 'user']],
    ['https://example.com/groups', ['a']],
    ['realm_access.missing', undefined],
    ['plain.length', undefined],
    ['nested.list.0', undefined],
    ['__proto__', undefined],
    ['constructor', undefined],
    ['realm_access.__proto__', undefined],
  ])('%s → %j', (path, expected) => {
    expect(claimAtPath(claims, path)).toEqual(expected);
  });

  it('never reads through the prototype chain', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('toString', 'valueOf', 'hasOwnProperty', '__proto__', 'constructor.name'),
        (path) => {
          expect(claimAtPath({}, path)).toBeUndefined();
        },
      ),
    );
  });
});

describe('mapClaimsToIdentity', () => {
  it('maps Keycloak-like claims (groups with paths, roles nested in realm_access)', () => {
    const claims = {
      iss: 'https://sso.example.com/realms/corp',
      sub: 'f:1234',
      email: 'jane@example.com',
      email_verified: true,
      name: 'Jane Doe',
      preferred_username: 'jane',
      groups: ['/engineering', '/engineering/platform'],
      realm_access: { roles: ['offline_access', 'gatehouse-admin'] },
      acr: '1',
      auth_time: 1_767_225_600,
      amr: ['pwd', 'otp'],
    };
    const id = mapClaimsToIdentity(claims, defaults, ISS);
    expect(id).toEqual({
      issuer: 'https://sso.example.com/realms/corp',
      sub: 'f:1234',
      user: 'f:1234',
      email: 'jane@example.com',
      emailVerified: true,
      name: 'Jane Doe',
      preferredUsername: 'jane',
      groups: ['/engineering', '/engineering/platform'],
      roles: [],
      amr: ['pwd', 'otp'],
      acr: '1',
      authTime: 1_767_225_600,
      claims,
    });
    const byRole = mapClaimsToIdentity(
      claims,
      { ...defaults, groups: 'realm_access.roles', user: 'preferred_username' },
      ISS,
    );
    expect(byRole.groups).toEqual(['offline_access', 'gatehouse-admin']);
    expect(byRole.user).toBe('jane');
  });

  it('maps Azure AD / Entra ID-like claims (oid as user, upn as email, group GUIDs, no email_verified)', () => {
    const claims = {
      iss: 'https://login.microsoftonline.com/tid/v2.0',
      sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
      oid: '00000000-0000-0000-66f3-3332eca7ea81',
      upn: 'jane@contoso.com',
      preferred_username: 'jane@contoso.com',
      name: 'Jane Doe',
      groups: ['0a1b2c3d-0000-0000-0000-000000000001'],
      roles: ['Gatehouse.Admin'],
      amr: ['pwd', 'mfa'],
    };
    const id = mapClaimsToIdentity(claims, { ...defaults, user: 'oid', email: 'upn' }, ISS);
    expect(id.user).toBe('00000000-0000-0000-66f3-3332eca7ea81');
    expect(id.email).toBe('jane@contoso.com');
    expect(id.emailVerified).toBeUndefined();
    expect(id.groups).toEqual(['0a1b2c3d-0000-0000-0000-000000000001']);
    expect(id.amr).toEqual(['pwd', 'mfa']);
    expect(id.roles).toEqual([]);
    expect(id.claims.roles).toEqual(['Gatehouse.Admin']);
  });

  it('maps Okta-like claims (groups array, email_verified boolean)', () => {
    const id = mapClaimsToIdentity(
      {
        iss: ISS,
        sub: '00u1abcd',
        email: 'j@example.com',
        email_verified: false,
        groups: ['Everyone', 'Sales'],
      },
      defaults,
      ISS,
    );
    expect(id).toMatchObject({
      user: '00u1abcd',
      emailVerified: false,
      groups: ['Everyone', 'Sales'],
      amr: [],
    });
  });

  it('accepts Cognito-style string booleans and namespaced (dotted) group claims', () => {
    const id = mapClaimsToIdentity(
      {
        sub: 's',
        email: 'e@example.com',
        email_verified: 'true',
        'cognito:groups': ['admins'],
        'https://example.com/groups': 'ops',
      },
      { ...defaults, groups: 'cognito:groups' },
      ISS,
    );
    expect(id.emailVerified).toBe(true);
    expect(id.groups).toEqual(['admins']);
    expect(
      mapClaimsToIdentity(
        { sub: 's', 'https://example.com/groups': 'ops' },
        { ...defaults, groups: 'https://example.com/groups' },
        ISS,
      ).groups,
    ).toEqual(['ops']);
  });

  it('takes a single group from a string claim and drops non-string, empty and duplicate entries', () => {
    expect(mapClaimsToIdentity({ sub: 's', groups: 'admins' }, defaults, ISS).groups).toEqual([
      'admins',
    ]);
    expect(
      mapClaimsToIdentity({ sub: 's', groups: ['a', '', null, { x: 1 }, 7, 'a'] }, defaults, ISS)
        .groups,
    ).toEqual(['a', '7']);
    expect(mapClaimsToIdentity({ sub: 's', groups: { a: true } }, defaults, ISS).groups).toEqual(
      [],
    );
    expect(mapClaimsToIdentity({ sub: 's' }, defaults, ISS).groups).toEqual([]);
  });

  it('uses the configured issuer when the claims carry none, and ignores non-string optional claims', () => {
    const id = mapClaimsToIdentity(
      { sub: 's', email: 42, name: '', auth_time: 'yesterday', acr: 5 },
      defaults,
      ISS,
    );
    expect(id.issuer).toBe(ISS);
    expect(id).not.toHaveProperty('email');
    expect(id).not.toHaveProperty('name');
    expect(id).not.toHaveProperty('authTime');
    expect(id).not.toHaveProperty('acr');
  });

  it('fails closed without sub or without the configured user claim', () => {
    expect(() => mapClaimsToIdentity({ email: 'x' }, defaults, ISS)).toThrow(
      expect.objectContaining({ code: 'ERR_OIDC_TOKEN_INVALID' }),
    );
    expect(() => mapClaimsToIdentity({ sub: '' }, defaults, ISS)).toThrow(
      expect.objectContaining({ code: 'ERR_OIDC_TOKEN_INVALID' }),
    );
    try {
      mapClaimsToIdentity({ sub: 's' }, { ...defaults, user: 'email' }, ISS);
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, 'ERR_OIDC_TOKEN_INVALID')).toBe(true);
      expect((err as Error).message).toContain('"email"');
    }
  });

  it('accepts a numeric user claim as text', () => {
    expect(
      mapClaimsToIdentity(
        { sub: 's', employee_number: 1042 },
        { ...defaults, user: 'employee_number' },
        ISS,
      ).user,
    ).toBe('1042');
  });
});

describe('mergeUserinfo', () => {
  it('adds userinfo claims but keeps protocol claims from the ID token only', () => {
    const merged = mergeUserinfo(
      { iss: ISS, sub: 's', aud: 'c', nonce: 'n', amr: ['pwd'], name: 'Old' },
      {
        sub: 's',
        name: 'New',
        groups: ['g'],
        amr: ['hwk'],
        acr: 'forged',
        iss: 'https://evil.example',
      },
    );
    expect(merged).toEqual({
      iss: ISS,
      sub: 's',
      aud: 'c',
      nonce: 'n',
      amr: ['pwd'],
      name: 'New',
      groups: ['g'],
    });
  });

  it('returns the ID token claims without userinfo', () => {
    expect(mergeUserinfo({ sub: 's', x: 1 }, undefined)).toEqual({ sub: 's', x: 1 });
  });
});
