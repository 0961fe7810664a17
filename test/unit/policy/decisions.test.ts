import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../src/core/index.js';
import { MONDAY_10_UTC, ctx, identity, req, table } from './helpers.js';

const NOW_S = Math.floor(MONDAY_10_UTC / 1000);

function decide(
  t: ReturnType<typeof table>,
  id: Identity | undefined,
  over: Parameters<typeof req>[0] = {},
  c = ctx,
) {
  const r = req(over);
  const route = t.match(r);
  if (route === undefined) throw new Error('no route');
  return route.evaluate(id, r, c);
}

describe('built-in policies', () => {
  const t = table([
    { id: 'pub', match: { path: '/pub' }, policy: 'public' },
    { id: 'auth', policy: 'authenticated' },
  ]);
  it.each([
    [
      'public, anonymous',
      '/pub',
      undefined,
      { effect: 'allow', reasons: ['public-route'], rule: 'public' },
    ],
    ['public, signed in', '/pub', identity(), { effect: 'allow', reasons: ['public-route'] }],
    [
      'authenticated, anonymous',
      '/x',
      undefined,
      { effect: 'login', reasons: ['user-unauthenticated'] },
    ],
    [
      'authenticated, signed in',
      '/x',
      identity(),
      { effect: 'allow', reasons: ['rule-allowed'], rule: 'authenticated' },
    ],
  ])('%s', (_n, path, id, expected) => {
    expect(decide(t, id, { path })).toMatchObject({
      ...expected,
      routeId: path === '/pub' ? 'pub' : 'auth',
    });
  });
  it('marks public routes', () => {
    expect(t.routes.map((r) => r.isPublic)).toEqual([true, false]);
  });
});

describe('allow/deny semantics', () => {
  const t = table(
    [
      {
        id: 'allow-list',
        match: { path: '/list' },
        policy: { groups: ['eng'], emails: ['boss@example.com'] },
      },
      { id: 'named', match: { path: '/named' }, policy: 'admins-only' },
      {
        id: 'office',
        match: { path: '/office' },
        policy: { allow: [{ source_ip: '10.0.0.0/8' }] },
      },
      {
        id: 'office-no-contractors',
        match: { path: '/onc' },
        policy: { allow: [{ source_ip: '10.0.0.0/8' }], deny: [{ group: 'contractors' }] },
      },
      {
        id: 'no-delete',
        match: { path: '/nd' },
        policy: { allow: [{ authenticated: true }], deny: [{ method: 'DELETE' }] },
      },
      {
        id: 'mixed',
        match: { path: '/mixed' },
        policy: { allow: [{ group: 'a' }, { group: 'b' }] },
      },
      {
        id: 'mixed-kinds',
        match: { path: '/mk' },
        policy: { allow: [{ group: 'a' }, { email: 'x@y.z' }] },
      },
      { id: 'deny-only', match: { path: '/deny-only' }, policy: { deny: [{ method: 'POST' }] } },
      { id: 'rest', policy: 'authenticated' },
    ],
    { 'admins-only': { allow: [{ group: 'admins' }], deny: [{ group: 'suspended' }] } },
  );
  it.each([
    [
      'allow-list group',
      '/list',
      identity({ groups: ['eng'] }),
      {},
      { effect: 'allow', rule: 'allow[0]' },
    ],
    [
      'allow-list email',
      '/list',
      identity({ email: 'Boss@Example.com' }),
      {},
      { effect: 'allow', rule: 'allow[1]' },
    ],
    [
      'allow-list none (mixed kinds)',
      '/list',
      identity(),
      {},
      { effect: 'deny', reasons: ['no-rule-allowed'] },
    ],
    [
      'allow-list anonymous',
      '/list',
      undefined,
      {},
      { effect: 'login', reasons: ['user-unauthenticated'] },
    ],
    [
      'named policy allows',
      '/named',
      identity({ groups: ['admins'] }),
      {},
      { effect: 'allow', rule: 'policy:admins-only allow[0]' },
    ],
    [
      'named policy deny wins',
      '/named',
      identity({ groups: ['admins', 'suspended'] }),
      {},
      { effect: 'deny', reasons: ['rule-denied'], rule: 'policy:admins-only deny[0]' },
    ],
    [
      'named policy group missing',
      '/named',
      identity({ groups: ['dev'] }),
      {},
      { effect: 'deny', reasons: ['group-missing', 'no-rule-allowed'] },
    ],
    [
      'source_ip without identity allows',
      '/office',
      undefined,
      { clientIp: '10.2.3.4' },
      { effect: 'allow', reasons: ['rule-allowed'] },
    ],
    [
      'source_ip without identity outside → login',
      '/office',
      undefined,
      { clientIp: '8.8.8.8' },
      { effect: 'login' },
    ],
    [
      'source_ip with identity outside → deny',
      '/office',
      identity(),
      { clientIp: '8.8.8.8' },
      { effect: 'deny', reasons: ['source-ip-denied', 'no-rule-allowed'] },
    ],
    [
      'identity-dependent deny unknown → login',
      '/onc',
      undefined,
      { clientIp: '10.2.3.4' },
      { effect: 'login', reasons: ['user-unauthenticated'] },
    ],
    [
      'identity-dependent deny false → allow',
      '/onc',
      identity(),
      { clientIp: '10.2.3.4' },
      { effect: 'allow' },
    ],
    [
      'identity-dependent deny true → deny',
      '/onc',
      identity({ groups: ['contractors'] }),
      { clientIp: '10.2.3.4' },
      { effect: 'deny', rule: 'deny[0]' },
    ],
    [
      'method deny reason',
      '/nd',
      identity(),
      { method: 'DELETE' },
      { effect: 'deny', reasons: ['rule-denied', 'method-denied'] },
    ],
    [
      'method deny anonymous → login, never deny',
      '/nd',
      undefined,
      { method: 'DELETE' },
      { effect: 'login', reasons: ['user-unauthenticated'] },
    ],
    [
      'same reason across rules',
      '/mixed',
      identity(),
      {},
      { effect: 'deny', reasons: ['group-missing', 'no-rule-allowed'] },
    ],
    [
      'different reasons → generic',
      '/mk',
      identity(),
      {},
      { effect: 'deny', reasons: ['no-rule-allowed'] },
    ],
    [
      'no allow rule denies everything',
      '/deny-only',
      identity(),
      {},
      { effect: 'deny', reasons: ['no-rule-allowed'] },
    ],
  ])('%s', (_n, path, id, over, expected) => {
    expect(decide(t, id, { path, ...over })).toMatchObject(expected);
  });
});

describe('MFA', () => {
  const t = table([
    { id: 'route-mfa', match: { path: '/r' }, policy: 'authenticated', mfa: { max_age: '10m' } },
    {
      id: 'policy-mfa',
      match: { path: '/p' },
      policy: { allow: [{ group: 'ops' }], mfa: 'required' },
    },
    {
      id: 'rule-mfa',
      match: { path: '/rule' },
      policy: { allow: [{ group: 'ops', mfa: { max_age: 300 } }, { group: 'readers' }] },
    },
    {
      id: 'both',
      match: { path: '/both' },
      policy: { allow: [{ group: 'ops' }], mfa: { max_age: '1h' } },
      mfa: { max_age: 60 },
    },
    {
      id: 'office-mfa',
      match: { path: '/om' },
      policy: { allow: [{ source_ip: '10.0.0.0/8' }] },
      mfa: 'required',
    },
  ]);
  const fresh = { mfaTime: NOW_S - 30 };
  const old = { mfaTime: NOW_S - 3600 };
  it.each([
    [
      'route mfa missing',
      '/r',
      identity(),
      { effect: 'mfa', reasons: ['mfa-required'], mfaMaxAge: 600 },
    ],
    ['route mfa fresh', '/r', identity(fresh), { effect: 'allow' }],
    [
      'route mfa too old',
      '/r',
      identity(old),
      { effect: 'mfa', reasons: ['mfa-too-old'], mfaMaxAge: 600 },
    ],
    ['route mfa anonymous → login', '/r', undefined, { effect: 'login' }],
    [
      'policy mfa without max_age',
      '/p',
      identity({ groups: ['ops'] }),
      { effect: 'mfa', reasons: ['mfa-required'], rule: 'mfa' },
    ],
    ['policy mfa any age ok', '/p', identity({ groups: ['ops'], ...old }), { effect: 'allow' }],
    ['policy mfa not asked when denied', '/p', identity(), { effect: 'deny' }],
    [
      'rule mfa pending',
      '/rule',
      identity({ groups: ['ops'] }),
      { effect: 'mfa', reasons: ['mfa-required'], rule: 'allow[0]', mfaMaxAge: 300 },
    ],
    [
      'rule mfa pending but later rule allows',
      '/rule',
      identity({ groups: ['ops', 'readers'] }),
      { effect: 'allow', rule: 'allow[1]' },
    ],
    [
      'rule mfa satisfied',
      '/rule',
      identity({ groups: ['ops'], ...fresh }),
      { effect: 'allow', rule: 'allow[0]' },
    ],
    [
      'strictest max_age wins',
      '/both',
      identity({ groups: ['ops'], mfaTime: NOW_S - 120 }),
      { effect: 'mfa', reasons: ['mfa-too-old'], mfaMaxAge: 60 },
    ],
    ['mfa on identity-free rule needs login', '/om', undefined, { effect: 'login' }],
  ])('%s', (_n, path, id, expected) => {
    const d = decide(t, id, { path, clientIp: '10.1.1.1' });
    expect(d).toMatchObject(expected);
    if (!('mfaMaxAge' in expected)) expect(d.mfaMaxAge).toBeUndefined();
  });
});

describe('roles', () => {
  const roles = {
    'kc-admin': [{ claim: { path: 'realm_access.roles', contains: 'admin' } }],
    approver: [{ group: 'finance' }, { role: 'kc-admin' }],
    'not-contractor': [{ not: { group: 'contractors' } }],
  };
  const t = table([{ id: 'pay', policy: { allow: [{ role: 'approver' }] } }], {}, roles);
  it('resolves roles, including roles built on roles, in definition order', () => {
    const kc = identity({ claims: { realm_access: { roles: ['admin'] } } });
    expect(t.rolesFor(kc)).toEqual(['kc-admin', 'approver', 'not-contractor']);
    expect(t.rolesFor(identity({ groups: ['finance', 'contractors'] }))).toEqual(['approver']);
  });
  it('caches per identity object', () => {
    const id = identity({ groups: ['finance'] });
    expect(t.rolesFor(id)).toBe(t.rolesFor(id));
  });
  it.each([
    [identity({ groups: ['finance'] }), 'allow'],
    [identity({ claims: { realm_access: { roles: ['admin'] } } }), 'allow'],
    [identity(), 'deny'],
  ])('role criterion %#', (id, effect) => {
    const d = decide(t, id);
    expect(d.effect).toBe(effect);
    if (effect === 'deny') expect(d.reasons).toEqual(['role-missing', 'no-rule-allowed']);
  });
});

describe('fail closed', () => {
  it('an exception while evaluating denies with evaluation-error', () => {
    const t = table([
      {
        id: 'r',
        policy: { deny: [{ source_ip: '10.0.0.0/8' }], allow: [{ authenticated: true }] },
      },
    ]);
    expect(decide(t, identity(), { clientIp: 'not-an-ip' })).toEqual({
      effect: 'deny',
      routeId: 'r',
      reasons: ['evaluation-error'],
    });
  });
  it('a claims object that throws denies', () => {
    const t = table([{ id: 'r', policy: { allow: [{ claim: { path: 'x', equals: 1 } }] } }]);
    const claims = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw new Error('boom');
        },
      },
    );
    expect(decide(t, identity({ claims }))).toMatchObject({
      effect: 'deny',
      reasons: ['evaluation-error'],
    });
  });
});

describe('insufficient scope (RFC 6750 §3.1)', () => {
  const t = table([
    {
      id: 'orders',
      policy: {
        allow: [
          { scope: 'orders:write', method: 'POST' },
          { scope: ['orders:read', 'orders:write'], method: 'GET' },
        ],
      },
    },
  ]);
  const withScopes = (scopes: string[]) => ({ ...ctx, scopes });

  it('reports scope-missing when a rule failed only on its scope, even when others failed on the method', () => {
    const d = decide(t, identity(), { method: 'POST' }, withScopes(['orders:read']));
    expect(d.effect).toBe('deny');
    expect(d.reasons).toContain('scope-missing');
  });

  it('does not report scope-missing when no rule would hold with more scopes', () => {
    const d = decide(t, identity(), { method: 'DELETE' }, withScopes(['orders:read']));
    expect(d.effect).toBe('deny');
    expect(d.reasons).not.toContain('scope-missing');
  });

  it('allows when the scope is there', () => {
    expect(decide(t, identity(), { method: 'POST' }, withScopes(['orders:write'])).effect).toBe('allow');
  });
});
