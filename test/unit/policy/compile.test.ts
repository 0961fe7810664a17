import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/core/index.js';
import type { ConfigProblem } from '../../../src/config/index.js';
import { compileRouteTable, parseClaimPath } from '../../../src/policy/index.js';
import { FILE, input } from './helpers.js';

function problems(...args: Parameters<typeof input>): ConfigProblem[] {
  try {
    compileRouteTable(input(...args));
  } catch (err) {
    if (isGatewayError(err, 'ERR_CONFIG_INVALID')) return err.details?.problems as ConfigProblem[];
    throw err;
  }
  return [];
}

describe('compile errors (ERR_CONFIG_INVALID with positioned problems)', () => {
  it.each([
    [
      'unknown named policy',
      [{ id: 'a', policy: 'nope' }],
      {},
      {},
      'routes[0].policy',
      /unknown policy "nope"/,
    ],
    [
      'bad CIDR',
      [{ id: 'a', policy: { allow: [{ source_ip: ['10.0.0.0/8', '10.0.0.0/33'] }] } }],
      {},
      {},
      'routes[0].policy.allow[0].source_ip[1]',
      /invalid CIDR/,
    ],
    [
      'shorthand IPv4 CIDR',
      [{ id: 'a', policy: { allow: [{ source_ip: '10/8' }] } }],
      {},
      {},
      'routes[0].policy.allow[0].source_ip[0]',
      /invalid CIDR/,
    ],
    [
      'bad route glob',
      [{ id: 'a', match: { path_glob: '/a**' }, policy: 'public' }],
      {},
      {},
      'routes[0].match.path_glob',
      /whole path segment/,
    ],
    [
      'bad criterion glob',
      [{ id: 'a', policy: { allow: [{ path: '/x/{a,b}' }] } }],
      {},
      {},
      'routes[0].policy.allow[0].path[0]',
      /only "\*"/,
    ],
    [
      'non-canonical route path',
      [{ id: 'a', match: { path: '/a/../b' }, policy: 'public' }],
      {},
      {},
      'routes[0].match.path',
      /canonical form/,
    ],
    [
      'unknown time zone',
      [{ id: 'a', policy: { allow: [{ time: { timezone: 'Mars/Olympus' } }] } }],
      {},
      {},
      'routes[0].policy.allow[0].time.timezone',
      /unknown time zone/,
    ],
    [
      'time after 24:00',
      [{ id: 'a', policy: { allow: [{ time: { to: '24:30' } }] } }],
      {},
      {},
      'routes[0].policy.allow[0].time.to',
      /after 24:00/,
    ],
    [
      'unknown role',
      [{ id: 'a', policy: { allow: [{ any: [{ role: 'ghost' }] }] } }],
      {},
      {},
      'routes[0].policy.allow[0].any[0].role[0]',
      /unknown role "ghost"/,
    ],
    [
      'bad host',
      [{ id: 'a', match: { host: 'a.*.test' }, policy: 'public' }],
      {},
      {},
      'routes[0].match.host[0]',
      /wildcard/,
    ],
    [
      'bad claim path',
      [{ id: 'a', policy: { allow: [{ claim: { path: 'a..b', equals: 1 } }] } }],
      {},
      {},
      'routes[0].policy.allow[0].claim.path',
      /empty segment/,
    ],
    [
      'unbracketed URL claim',
      [
        {
          id: 'a',
          policy: { allow: [{ claim: { path: 'https://x.test/groups', contains: 'a' } }] },
        },
      ],
      {},
      {},
      'routes[0].policy.allow[0].claim.path',
      /bracket form/,
    ],
    [
      'mfa nested',
      [{ id: 'a', policy: { allow: [{ any: [{ group: 'x', mfa: 'required' }] }] } }],
      {},
      {},
      'routes[0].policy.allow[0].any[0].mfa',
      /top level/,
    ],
    [
      'mfa in deny',
      [{ id: 'a', policy: { deny: [{ mfa: 'required' }] } }],
      {},
      {},
      'routes[0].policy.deny[0].mfa',
      /top level/,
    ],
    [
      'public with mfa',
      [{ id: 'a', policy: 'public', mfa: 'required' }],
      {},
      {},
      'routes[0].mfa',
      /public route cannot require MFA/,
    ],
    [
      'duplicate id',
      [
        { id: 'a', policy: 'public' },
        { id: 'a', policy: 'public' },
      ],
      {},
      {},
      'routes[1].id',
      /duplicate route id/,
    ],
    [
      'bad named policy',
      [{ id: 'a', policy: 'p' }],
      { p: { allow: [{ source_ip: 'x' }] } },
      {},
      'policies.p.allow[0].source_ip[0]',
      /invalid CIDR/,
    ],
    [
      'reserved policy name',
      [{ id: 'a', policy: 'public' }],
      { public: { allow: [{ group: 'x' }] } },
      {},
      'policies.public',
      /built-in/,
    ],
    [
      'recursive roles',
      [{ id: 'a', policy: 'public' }],
      {},
      { a: [{ role: 'b' }], b: [{ any: [{ role: 'a' }] }] },
      'roles.a',
      /recursive role definition: a -> b -> a/,
    ],
    [
      'self-recursive role',
      [{ id: 'a', policy: 'public' }],
      {},
      { a: [{ not: { role: 'a' } }] },
      'roles.a',
      /a -> a/,
    ],
    [
      'request criterion in role',
      [{ id: 'a', policy: 'public' }],
      {},
      { r: [{ source_ip: '10.0.0.0/8' }] },
      'roles.r[0].source_ip',
      /identity only/,
    ],
  ])('%s', (_n, routes, policies, roles, path, message) => {
    const found = problems(routes, policies, roles);
    const p = found.find((x) => x.path === path);
    expect(p, JSON.stringify(found)).toBeDefined();
    expect(p?.message).toMatch(message);
    expect(p?.severity).toBe('error');
  });

  it('reports route problems at the route position and collects all of them', () => {
    const found = problems([
      { id: 'ok', policy: 'public' },
      { id: 'a', policy: 'nope' },
      { id: 'b', policy: { allow: [{ source_ip: 'bad' }, { time: { timezone: 'Nowhere/X' } }] } },
    ]);
    expect(found).toHaveLength(3);
    expect(found[0]).toMatchObject({ file: FILE, line: 20, column: 3, path: 'routes[1].policy' });
    expect(found[1]).toMatchObject({
      file: FILE,
      line: 30,
      path: 'routes[2].policy.allow[0].source_ip[0]',
    });
  });

  it('numbers routes per file', () => {
    const i = input([
      { id: 'a', policy: 'public' },
      { id: 'b', policy: 'x' },
    ]);
    const routes = [
      i.routes[0]!,
      { ...i.routes[1]!, source: { file: 'policies/other.yaml', line: 4, column: 3 } },
    ];
    try {
      compileRouteTable({ ...i, routes });
      expect.unreachable();
    } catch (err) {
      expect((err as { details: { problems: ConfigProblem[] } }).details.problems[0]).toMatchObject(
        { file: 'policies/other.yaml', path: 'routes[0].policy' },
      );
    }
  });

  it('uses policy and role positions when the loader gives them', () => {
    try {
      compileRouteTable({
        ...input([{ id: 'a', policy: 'p' }], { p: { allow: [{ source_ip: 'x' }] } }),
        sources: { policies: { p: { file: 'policies/p.yaml', line: 7, column: 5 } } },
      });
      expect.unreachable();
    } catch (err) {
      expect((err as { details: { problems: ConfigProblem[] } }).details.problems[0]).toMatchObject(
        { file: 'policies/p.yaml', line: 7 },
      );
    }
  });

  it('compiles a valid configuration', () => {
    expect(
      problems([
        {
          id: 'a',
          match: { host: ['*.example.com', 'x.test:8443'], path_glob: '/api/**' },
          policy: 'authenticated',
        },
      ]),
    ).toEqual([]);
  });
});

describe('claim paths', () => {
  it.each([
    ['realm_access.roles', ['realm_access', 'roles']],
    ['resource_access.my-app.roles', ['resource_access', 'my-app', 'roles']],
    ['["https://example.com/groups"]', ['https://example.com/groups']],
    ["resource_access['my.app'].roles", ['resource_access', 'my.app', 'roles']],
    ['groups[0]', ['groups', 0]],
    ['a["b\\"c"].d', ['a', 'b"c', 'd']],
  ])('%s', (text, expected) => {
    expect(parseClaimPath(text)).toEqual(expected);
  });
  it.each(['', 'a.', '.a', 'a..b', 'a[', 'a[b]', 'a]b', 'a["b"]c', 'https://x.test/g'])(
    'rejects %j',
    (text) => {
      expect(typeof parseClaimPath(text)).toBe('string');
    },
  );
});
