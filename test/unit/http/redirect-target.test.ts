import { describe, expect, it } from 'vitest';
import { createRedirectScope, safeRedirectTarget } from '../../../src/http/redirect-target.js';

const scope = createRedirectScope(new URL('https://auth.example.com'), ['*', 'app.example.com', '*.corp.example.com']);

describe('safeRedirectTarget (open redirect guard)', () => {
  it.each([
    ['/app/page?x=1', 'https://auth.example.com/app/page?x=1'],
    ['https://auth.example.com/x', 'https://auth.example.com/x'],
    ['https://app.example.com/a', 'https://app.example.com/a'],
    ['https://wiki.corp.example.com/a', 'https://wiki.corp.example.com/a'],
    ['https://APP.example.com./a', 'https://app.example.com./a'],
  ])('keeps %s', (input, expected) => {
    expect(safeRedirectTarget(input, scope)).toBe(expected);
  });

  it.each([
    [undefined],
    [''],
    ['https://evil.com/'],
    ['//evil.com'],
    ['/\\evil.com'],
    ['\\\\evil.com'],
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['data:text/html,hi'],
    ['%2F%2Fevil.com'],
    ['/%2F%2Fevil.com'],
    ['/%5Cevil.com'],
    ['%252F%252Fevil.com'],
    ['https:evil.com'],
    ['https://evil.com@app.example.com/'],
    ['https://app.example.com@evil.com/'],
    ['https://corp.example.com.evil.com/'],
    ['https://xcorp.example.com/'],
    ['/\tevil'],
    ['/a\r\nSet-Cookie: x=1'],
    ['ftp://app.example.com/'],
    ['https://auth.example.com:444/x'],
    ['http://auth.example.com/x'],
    ['https://app.example.com:8443/a'],
    ['http://app.example.com/a'],
    ['%zz'],
    [' https://app.example.com/'],
  ])('rejects %s', (input) => {
    expect(safeRedirectTarget(input, scope)).toBe('/');
  });

  it('lists the same origins as CSP sources for form-action', () => {
    expect(scope.cspSources).toBe('https://auth.example.com https://app.example.com https://*.corp.example.com');
  });

  it('never trusts an arbitrary host because of a catch-all route', () => {
    const catchAll = createRedirectScope(new URL('http://localhost:8080'), ['*']);
    expect(safeRedirectTarget('http://evil.example/', catchAll)).toBe('/');
    expect(safeRedirectTarget('http://localhost:9011/x', catchAll)).toBe('/');
    expect(safeRedirectTarget('http://localhost/', catchAll)).toBe('/');
    expect(safeRedirectTarget('http://localhost:8080/app/', catchAll)).toBe('http://localhost:8080/app/');
  });
});
