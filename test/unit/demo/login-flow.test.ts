import { describe, expect, it } from 'vitest';
import { CookieJar, findForms, type FlowResponse } from '../../helpers/login-flow.js';

describe('CookieJar (test helper)', () => {
  const app = new URL('http://app.example.test/dir/page');

  it('sends host-only cookies to the same host on any port, not to subdomains', () => {
    const jar = new CookieJar();
    jar.store(app, 'sid=abc; Path=/; HttpOnly');
    expect(jar.header(new URL('http://app.example.test:8080/x'))).toBe('sid=abc');
    expect(jar.header(new URL('http://sub.app.example.test/x'))).toBeUndefined();
    expect(jar.header(new URL('http://other.test/x'))).toBeUndefined();
  });

  it('honours Domain, refuses a Domain the host does not belong to', () => {
    const jar = new CookieJar();
    jar.store(app, ['a=1; Domain=.example.test; Path=/', 'b=2; Domain=evil.test; Path=/']);
    expect(jar.header(new URL('http://sso.example.test/'))).toBe('a=1');
    expect(jar.get('b')).toBeUndefined();
  });

  it('applies the default path and path matching (RFC 6265 §5.1.4)', () => {
    const jar = new CookieJar();
    jar.store(app, 'p=1');
    expect(jar.header(new URL('http://app.example.test/dir'))).toBe('p=1');
    expect(jar.header(new URL('http://app.example.test/dir/x/y'))).toBe('p=1');
    expect(jar.header(new URL('http://app.example.test/directory'))).toBeUndefined();
    expect(jar.header(new URL('http://app.example.test/'))).toBeUndefined();
  });

  it('deletes on Max-Age=0 and expires by the clock', () => {
    let now = 1_000_000;
    const jar = new CookieJar(() => now);
    jar.store(app, 's=1; Path=/; Max-Age=10');
    expect(jar.get('s')).toBe('1');
    now += 11_000;
    expect(jar.header(app)).toBeUndefined();
    jar.store(app, 't=1; Path=/');
    jar.store(app, 't=; Path=/; Max-Age=0');
    expect(jar.get('t')).toBeUndefined();
  });

  it('sends Secure cookies over https and to loopback hosts only', () => {
    const jar = new CookieJar();
    jar.store(new URL('https://app.example.test/'), 's=1; Secure; Path=/');
    expect(jar.header(new URL('http://app.example.test/'))).toBeUndefined();
    expect(jar.header(new URL('https://app.example.test/'))).toBe('s=1');
    jar.store(new URL('http://localhost:3000/'), 'l=1; Secure; Path=/');
    expect(jar.header(new URL('http://localhost:4000/'))).toBe('l=1');
  });
});

describe('findForms (test helper)', () => {
  it('finds the action, method and fields of a form, resolving the action against the page URL', () => {
    const page: FlowResponse = {
      url: new URL('http://idp.test/session/end?x=1'),
      method: 'GET',
      status: 200,
      headers: {},
      body: '<form id="op.logoutForm" method="post" action="/session/end/confirm"><input type="hidden" name="xsrf" value="a&amp;b"/></form>',
    };
    expect(findForms(page)).toEqual([
      {
        id: 'op.logoutForm',
        action: new URL('http://idp.test/session/end/confirm'),
        method: 'POST',
        fields: { xsrf: 'a&b' },
      },
    ]);
  });
});
