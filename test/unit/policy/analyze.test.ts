import { describe, expect, it } from 'vitest';
import { analyzeRoutes } from '../../../src/policy/index.js';
import { input } from './helpers.js';

function warnings(
  ...args: Parameters<typeof input>
): { path: string; message: string; line: number }[] {
  const out = analyzeRoutes(input(...args));
  for (const p of out) expect(p.severity).toBe('warning');
  return out.map((p) => ({ path: p.path, message: p.message, line: p.line }));
}

describe('analyzeRoutes', () => {
  it.each([
    [
      'same prefix',
      [
        { id: 'a', match: { path: '/x' }, policy: 'public' },
        { id: 'b', match: { path: '/x' }, policy: 'public' },
      ],
    ],
    [
      'broader prefix first',
      [
        { id: 'a', match: { path: '/x' }, policy: 'public' },
        { id: 'b', match: { path: '/x/y' }, policy: 'public' },
      ],
    ],
    [
      'catch-all first',
      [
        { id: 'a', policy: 'authenticated' },
        { id: 'b', match: { host: 'h.test', path: '/admin' }, policy: 'public' },
      ],
    ],
    [
      'wildcard host covers exact',
      [
        { id: 'a', match: { host: '*.test' }, policy: 'public' },
        { id: 'b', match: { host: 'h.test', path_exact: '/x' }, policy: 'public' },
      ],
    ],
    [
      'prefix covers exact',
      [
        { id: 'a', match: { path: '/x' }, policy: 'public' },
        { id: 'b', match: { path_exact: '/x/y' }, policy: 'public' },
      ],
    ],
    [
      'prefix covers glob',
      [
        { id: 'a', match: { path: '/api' }, policy: 'public' },
        { id: 'b', match: { path_glob: '/api/*/x' }, policy: 'public' },
      ],
    ],
    [
      'glob ** covers prefix',
      [
        { id: 'a', match: { path_glob: '/api/**' }, policy: 'public' },
        { id: 'b', match: { path: '/api/v1' }, policy: 'public' },
      ],
    ],
    [
      'methods covered',
      [
        { id: 'a', match: { methods: ['GET', 'POST'] }, policy: 'public' },
        { id: 'b', match: { methods: 'GET' }, policy: 'public' },
      ],
    ],
    [
      'case-insensitive covers',
      [
        { id: 'a', match: { path: '/X' }, policy: 'public', case_insensitive_paths: true },
        { id: 'b', match: { path: '/x/y' }, policy: 'public' },
      ],
    ],
  ])('shadowed: %s', (_n, routes) => {
    const w = warnings(routes);
    expect(w.find((x) => x.path === 'routes[1]')?.message).toMatch(
      /route "b" is never used: route "a" .* comes first/,
    );
  });

  it.each([
    [
      'narrower first',
      [
        { id: 'a', match: { path: '/x/y' }, policy: 'public' },
        { id: 'b', match: { path: '/x' }, policy: 'public' },
      ],
    ],
    [
      'method restricted first',
      [
        { id: 'a', match: { methods: 'GET' }, policy: 'public' },
        { id: 'b', policy: 'public' },
      ],
    ],
    [
      'different hosts',
      [
        { id: 'a', match: { host: 'a.test' }, policy: 'public' },
        { id: 'b', match: { host: 'b.test' }, policy: 'public' },
      ],
    ],
    [
      'segment-aware',
      [
        { id: 'a', match: { path: '/admin' }, policy: 'public' },
        { id: 'b', match: { path: '/administrator' }, policy: 'public' },
      ],
    ],
    [
      'case-sensitive does not cover case-insensitive',
      [
        { id: 'a', match: { path: '/x' }, policy: 'public' },
        { id: 'b', match: { path: '/x/y' }, policy: 'public', case_insensitive_paths: true },
      ],
    ],
  ])('not shadowed: %s', (_n, routes) => {
    expect(warnings(routes).filter((x) => /never used/.test(x.message))).toEqual([]);
  });

  it('warns about a public route covering a protected one', () => {
    const w = warnings([
      { id: 'admin', match: { path: '/admin' }, policy: { groups: ['admins'] } },
      { id: 'site', policy: 'public' },
    ]);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ path: 'routes[1]', line: 20 });
    expect(w[0]?.message).toMatch(
      /public route "site" .* overlaps protected route "admin" .*only the route order keeps "admin" protected/,
    );
  });

  it('warns louder when the public route comes first and overlaps partially', () => {
    const w = warnings([
      { id: 'site', match: { methods: 'GET' }, policy: 'public' },
      { id: 'admin', match: { path: '/admin' }, policy: 'authenticated' },
    ]);
    expect(w[0]?.message).toMatch(
      /public route "site" .* comes first, so it makes some of those requests public/,
    );
  });

  it('warns about overlapping routes with different policies', () => {
    const w = warnings([
      { id: 'a', match: { host: '*.example.com', path: '/api' }, policy: { groups: ['x'] } },
      { id: 'b', match: { host: 'api.example.com' }, policy: 'authenticated' },
    ]);
    expect(w[0]?.message).toMatch(/route "b" .* overlaps route "a" .* with a different policy/);
  });

  it('stays quiet for disjoint routes or same policies', () => {
    expect(
      warnings([
        { id: 'a', match: { path: '/a' }, policy: 'authenticated' },
        { id: 'b', match: { path: '/b' }, policy: 'public' },
        { id: 'c', match: { path: '/c' }, policy: 'authenticated' },
        { id: 'd', match: { path: '/d', methods: 'POST' }, policy: 'authenticated' },
        { id: 'e', match: { path: '/d', methods: 'GET' }, policy: 'public' },
      ]),
    ).toEqual([]);
  });

  it('reports undefined roles, unused policies and policies without allow rules', () => {
    const w = warnings(
      [
        { id: 'a', policy: { allow: [{ role: 'ghost' }] } },
        { id: 'b', match: { path: '/b' }, policy: { deny: [{ method: 'GET' }] } },
      ],
      { unused: { allow: [{ group: 'x' }] } },
      { r: [{ role: 'phantom' }] },
    );
    const messages = w.map((x) => `${x.path}: ${x.message}`);
    expect(messages).toContain(
      'routes[0].policy: role "ghost" is referenced but never defined under roles:',
    );
    expect(messages).toContain(
      'roles.r: role "phantom" is referenced but never defined under roles:',
    );
    expect(messages).toContain('policies.unused: policy "unused" is defined but no route uses it');
    expect(messages).toContain(
      'routes[1].policy: this policy has no allow rule: every request is denied',
    );
  });
});
