import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MONDAY_10_UTC, ctx, identity, req, table } from './helpers.js';

const t = table(
  [
    { id: 'admin', match: { path: '/admin' }, policy: 'admins-only', mfa: { max_age: 600 } },
    {
      id: 'ops',
      match: { path: '/ops' },
      policy: {
        allow: [
          {
            role: 'operator',
            time: {
              days: ['mon', 'tue', 'wed', 'thu', 'fri'],
              from: '08:00',
              to: '18:00',
              timezone: 'Europe/Paris',
            },
          },
          { group: 'oncall', mfa: 'required' },
        ],
        deny: [{ not: { source_ip: ['10.0.0.0/8', '2001:db8::/32'] } }],
      },
    },
    {
      id: 'api',
      match: { path: '/api', methods: ['GET', 'POST'] },
      policy: {
        allow: [
          { scope: 'api.read', method: 'GET' },
          {
            all: [
              { scope: 'api.write' },
              {
                any: [
                  { email_domain: 'example.com' },
                  { claim: { path: 'realm_access.roles', contains: 'writer' } },
                ],
              },
            ],
          },
        ],
      },
    },
    {
      id: 'office',
      match: { path: '/office' },
      policy: {
        allow: [{ source_ip: '10.0.0.0/8' }, { authenticated: true, path: '/office/public' }],
      },
    },
    {
      id: 'list',
      match: { path: '/list' },
      policy: { groups: ['eng'], email_domains: ['example.org'] },
    },
    { id: 'home', match: { path_exact: '/' }, policy: 'public' },
    { id: 'rest', match: { host: '*.example.com' }, policy: 'authenticated' },
  ],
  { 'admins-only': { allow: [{ group: 'admins' }], deny: [{ group: 'suspended' }] } },
  { operator: [{ group: 'ops' }, { claim: { path: 'realm_access.roles', contains: 'operator' } }] },
);

describe('explain', () => {
  it('names the route and each rule evaluated with a detail line', () => {
    const r = req({ path: '/ops/deploy', clientIp: '10.1.1.1' });
    const out = t.explain(identity({ groups: ['ops'] }), r, ctx);
    expect(out.route?.id).toBe('ops');
    expect(out.decision).toMatchObject({ effect: 'allow', rule: 'allow[0]' });
    expect(out.steps.map((s) => s.rule)).toEqual([
      'match',
      'roles',
      'deny[0]',
      'deny[0].not',
      'allow[0]',
    ]);
    expect(out.steps[1]?.detail).toBe('roles held: operator');
    expect(out.steps[4]?.detail).toMatch(
      /role in \[operator\]: yes.*time within .*Europe\/Paris: yes \(now mon 11:00\)/,
    );
  });

  it('explains a miss', () => {
    const out = t.explain(undefined, req({ host: 'other.test', path: '/x' }), ctx);
    expect(out).toMatchObject({ route: undefined, decision: undefined });
    expect(out.steps[0]).toMatchObject({ rule: 'match', result: false });
  });

  it('explains unknown criteria for anonymous users', () => {
    const out = t.explain(undefined, req({ path: '/list' }), ctx);
    expect(out.decision?.effect).toBe('login');
    expect(out.steps[1]?.detail).toMatch(/group: needs a signed-in user/);
  });

  it('explains evaluation errors', () => {
    const out = t.explain(identity(), req({ path: '/ops', clientIp: 'garbage' }), ctx);
    expect(out.decision?.reasons).toEqual(['evaluation-error']);
    expect(out.steps.at(-1)?.rule).toBe('error');
  });

  it('gives the same decision as evaluate (property)', () => {
    const idArb = fc.option(
      fc.record({
        groups: fc.subarray(['admins', 'suspended', 'ops', 'oncall', 'eng']),
        email: fc.constantFrom('a@example.com', 'b@example.org', 'c@other.test'),
        emailVerified: fc.boolean(),
        roles: fc.subarray(['operator', 'writer']),
        mfaAgo: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
      }),
      { nil: undefined },
    );
    const reqArb = fc.record({
      host: fc.constantFrom('app.example.com', 'other.test'),
      path: fc.constantFrom(
        '/',
        '/admin',
        '/admin/x',
        '/ops',
        '/api',
        '/office',
        '/office/public',
        '/list',
        '/x',
      ),
      method: fc.constantFrom('GET', 'POST', 'DELETE'),
      clientIp: fc.constantFrom('10.0.0.1', '8.8.8.8', '2001:db8::1', '::ffff:10.2.2.2', 'bogus'),
    });
    const ctxArb = fc.record({
      offsetH: fc.integer({ min: 0, max: 24 * 7 }),
      scopes: fc.option(fc.subarray(['api.read', 'api.write']), { nil: undefined }),
    });
    fc.assert(
      fc.property(idArb, reqArb, ctxArb, (i, q, c) => {
        const nowMs = MONDAY_10_UTC + c.offsetH * 3600_000;
        const id =
          i === undefined
            ? undefined
            : identity({
                groups: i.groups,
                email: i.email,
                emailVerified: i.emailVerified,
                claims: { realm_access: { roles: i.roles } },
                ...(i.mfaAgo === undefined ? {} : { mfaTime: Math.floor(nowMs / 1000) - i.mfaAgo }),
              });
        const r = req(q);
        const context = c.scopes === undefined ? { nowMs } : { nowMs, scopes: c.scopes };
        const explained = t.explain(id, r, context);
        const route = t.match(r);
        expect(explained.route?.id).toBe(route?.id);
        expect(explained.decision).toEqual(route?.evaluate(id, r, context));
        if (explained.decision !== undefined) {
          expect(explained.decision.reasons.length).toBeGreaterThan(0);
          if (id === undefined && explained.decision.effect === 'deny')
            expect(explained.decision.reasons).toEqual(['evaluation-error']);
          for (const s of explained.steps) expect(s.detail.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
