import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileGlob,
  compileHostPattern,
  compilePathMatcher,
  matchingPath,
} from '../../../src/policy/index.js';
import { req, table } from './helpers.js';

describe('host patterns', () => {
  it.each([
    ['app.example.com', 'app.example.com', true],
    ['App.Example.com.', 'app.example.com', true],
    ['app.example.com', 'other.example.com', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'badexample.com', false],
    ['*', 'anything.test', true],
  ])('%s matches %s: %s', (pattern, host, expected) => {
    const p = compileHostPattern(pattern);
    if (typeof p === 'string') throw new Error(p);
    expect(p.test(host, undefined, 'https')).toBe(expected);
  });

  it.each([
    ['app.example.com:8443', 8443, true],
    ['app.example.com:8443', undefined, false],
    ['app.example.com:443', undefined, true],
    ['app.example.com', 8443, true],
  ])('%s with port %s: %s', (pattern, port, expected) => {
    const p = compileHostPattern(pattern);
    if (typeof p === 'string') throw new Error(p);
    expect(p.test('app.example.com', port, 'https')).toBe(expected);
  });

  it.each(['a.*.example.com', 'ex ample.com', 'example.com:0', '*.', '**.example.com', '::1'])(
    'rejects %s',
    (pattern) => {
      expect(typeof compileHostPattern(pattern)).toBe('string');
    },
  );
});

describe('path matchers', () => {
  it.each([
    ['prefix', '/admin', '/admin', true],
    ['prefix', '/admin', '/admin/', true],
    ['prefix', '/admin', '/admin/x/y', true],
    ['prefix', '/admin', '/administrator', false],
    ['prefix', '/admin/', '/admin', true],
    ['prefix', '/admin/', '/admin/x', true],
    ['prefix', '/admin/', '/administrator', false],
    ['prefix', '/', '/anything', true],
    ['exact', '/login', '/login', true],
    ['exact', '/login', '/login/', false],
    ['exact', '/login', '/login/x', false],
    ['glob', '/api/*/items', '/api/v1/items', true],
    ['glob', '/api/*/items', '/api/v1/v2/items', false],
    ['glob', '/api/**', '/api', true],
    ['glob', '/api/**', '/api/a/b/c', true],
    ['glob', '/api/**', '/apix', false],
    ['glob', '/a/**/b', '/a/b', true],
    ['glob', '/a/**/b', '/a/x/y/b', true],
    ['glob', '/a/**/b', '/a/x/y/c', false],
    ['glob', '/*.js', '/app.js', true],
    ['glob', '/*.js', '/x/app.js', false],
    ['glob', '/**/*.js', '/x/y/app.js', true],
    ['glob', '/files/a.b', '/files/aXb', false],
  ] as const)('%s %s vs %s: %s', (kind, pattern, path, expected) => {
    const m = compilePathMatcher({ kind, pattern }, false);
    if (typeof m === 'string') throw new Error(m);
    expect(m.test(path)).toBe(expected);
  });

  it.each([
    ['glob', '/a**'],
    ['glob', '/a/?'],
    ['glob', '/a/{b,c}'],
    ['glob', '/a/[bc]'],
    ['prefix', '/a//b'],
    ['prefix', '/a/../b'],
    ['prefix', '/%61dmin'],
    ['prefix', '/a%2fb'],
    ['exact', '/a;b'],
  ] as const)('rejects %s %s', (kind, pattern) => {
    expect(typeof compilePathMatcher({ kind, pattern }, false)).toBe('string');
  });

  it('globs compile to anchored expressions', () => {
    const g = compileGlob('/a/*');
    expect(g.ok && g.regex.test('/a/b')).toBe(true);
    expect(g.ok && g.regex.test('/x/a/b')).toBe(false);
  });

  it('matching strips path parameters and merges the slashes that leaves', () => {
    expect(matchingPath('/admin;jsessionid=1/x', false)).toBe('/admin/x');
    expect(matchingPath('/;x/admin', false)).toBe('/admin');
    expect(matchingPath('/Admin/X', true)).toBe('/admin/x');
  });
});

describe('route matching', () => {
  const t = table([
    {
      id: 'api-write',
      match: { host: 'api.example.com', path: '/v1', methods: ['post', 'PUT'] },
      policy: 'authenticated',
    },
    { id: 'api', match: { host: 'api.example.com' }, policy: 'public' },
    { id: 'admin', match: { host: '*.example.com', path: '/admin' }, policy: 'authenticated' },
    { id: 'login', match: { path_exact: '/login' }, policy: 'public' },
    { id: 'assets', match: { path_glob: '/static/**' }, policy: 'public' },
    {
      id: 'iis',
      match: { host: 'legacy.test', path: '/Secure' },
      policy: 'authenticated',
      case_insensitive_paths: true,
    },
    { id: 'catch-all', policy: 'authenticated' },
  ]);
  it.each([
    [req({ host: 'api.example.com', path: '/v1/x', method: 'POST' }), 'api-write'],
    [req({ host: 'api.example.com', path: '/v1/x', method: 'GET' }), 'api'],
    [req({ host: 'api.example.com', path: '/admin' }), 'api'],
    [req({ host: 'a.b.example.com', path: '/admin/x' }), 'admin'],
    [req({ host: 'example.com', path: '/admin/x' }), 'catch-all'],
    [req({ host: 'x.example.com', path: '/administrator' }), 'catch-all'],
    [req({ host: 'x.example.com', path: '/admin;x/y' }), 'admin'],
    [req({ path: '/login' }), 'login'],
    [req({ path: '/login/' }), 'catch-all'],
    [req({ path: '/static' }), 'assets'],
    [req({ path: '/static/a/b.css' }), 'assets'],
    [req({ host: 'legacy.test', path: '/SECURE/page' }), 'iis'],
    [req({ host: 'legacy.test', path: '/secure' }), 'iis'],
    [req({ host: 'other.test', path: '/secure' }), 'catch-all'],
  ])('%o → %s', (r, id) => {
    expect(t.match(r)?.id).toBe(id);
  });

  it('returns undefined when no route matches', () => {
    const only = table([{ id: 'a', match: { host: 'a.test' }, policy: 'public' }]);
    expect(only.match(req({ host: 'b.test' }))).toBeUndefined();
  });

  it('servesHost and hosts reflect the host patterns', () => {
    const h = table([
      { id: 'a', match: { host: ['a.test', '*.b.test'] }, policy: 'public' },
      { id: 'c', match: { host: 'c.test:8443' }, policy: 'public' },
    ]);
    expect(h.hosts).toEqual(['a.test', '*.b.test', 'c.test:8443']);
    expect(h.servesHost('a.test')).toBe(true);
    expect(h.servesHost('x.y.b.test')).toBe(true);
    expect(h.servesHost('b.test')).toBe(false);
    expect(h.servesHost('c.test')).toBe(true);
    expect(h.servesHost('evil.test')).toBe(false);
    expect(t.servesHost('evil.test')).toBe(true); // catch-all route serves any host
  });
});

describe('route index preserves first-match-wins (property)', () => {
  const hosts = ['a.test', 'b.a.test', 'c.test'];
  const hostPattern = fc.constantFrom('a.test', '*.a.test', '*.test', 'c.test', '*', 'c.test:8443');
  const seg = fc.constantFrom('x', 'y', 'X', 'z');
  const pathPattern = fc.oneof(
    fc.constant(undefined),
    fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => ({ path: `/${s.join('/')}` })),
    fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => ({ path_exact: `/${s.join('/')}` })),
    fc.constantFrom(
      { path_glob: '/x/**' },
      { path_glob: '/*/y' },
      { path_glob: '/**/z' },
      { path_glob: '/' },
    ),
  );
  const routeArb = fc.record({
    host: fc.option(fc.array(hostPattern, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    path: pathPattern,
    methods: fc.option(fc.subarray(['GET', 'POST']), { nil: undefined }),
    ci: fc.boolean(),
  });
  const reqArb = fc.record({
    host: fc.constantFrom(...hosts),
    port: fc.constantFrom(undefined, 8443),
    path: fc.array(seg, { maxLength: 4 }).map((s) => `/${s.join('/')}`),
    method: fc.constantFrom('GET', 'POST'),
  });

  it('indexed lookup equals a linear scan of the routes in order', () => {
    fc.assert(
      fc.property(
        fc.array(routeArb, { minLength: 1, maxLength: 25 }),
        fc.array(reqArb, { minLength: 1, maxLength: 20 }),
        (routes, reqs) => {
          const t = table(
            routes.map((r, i) => ({
              id: `r${i}`,
              match: {
                ...(r.host ? { host: r.host } : {}),
                ...(r.path ?? {}),
                ...(r.methods && r.methods.length > 0 ? { methods: r.methods } : {}),
              },
              policy: 'public',
              case_insensitive_paths: r.ci,
            })),
          );
          const entries = t.routes as unknown as {
            id: string;
            matches(r: unknown, p: string, l: string): boolean;
          }[];
          for (const q of reqs) {
            const r = req({
              host: q.host,
              path: q.path,
              method: q.method,
              ...(q.port === undefined ? {} : { port: q.port }),
            });
            const linear = entries.find((e) => e.matches(r, r.path, r.path.toLowerCase()));
            expect(t.match(r)?.id).toBe(linear?.id);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
