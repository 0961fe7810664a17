import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/core/index.js';
import {
  canonicalize,
  canonicalizePath,
  type RawRequestTarget,
} from '../../../src/policy/index.js';

const served = new Set(['app.example.com', 'localhost']);
const opts = { servesHost: (h: string) => served.has(h) };

function raw(over: Partial<RawRequestTarget>): RawRequestTarget {
  return {
    method: 'GET',
    target: '/',
    host: 'app.example.com',
    scheme: 'https',
    clientIp: '198.51.100.7',
    ...over,
  };
}

describe('canonicalizePath: accepted targets', () => {
  it.each([
    ['/', '/'],
    ['/a/b', '/a/b'],
    ['/a/b/', '/a/b/'],
    ['/%41%62%63', '/Abc'],
    ['/%7e%2D%2e%5f', '/~-._'],
    ['/a%2cb', '/a%2Cb'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a//b///c', '/a/b/c'],
    ['//a', '/a'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/a/%2e%2E/b', '/b'],
    ['/a/.%2e/b', '/b'],
    ['/a/%2e/b', '/a/b'],
    ['/admin/../admin/x', '/admin/x'],
    ['/a/b/../../c', '/c'],
    ['/..a/b', '/..a/b'],
    ['/a/...', '/a/...'],
    ['/a|b', '/a%7Cb'],
    ['/a%7cb', '/a%7Cb'],
    ['/a{b}', '/a%7Bb%7D'],
    ['/a;b=c/d', '/a;b=c/d'],
    ["/!$&'()*+,;=:@", "/!$&'()*+,;=:@"],
    ['/%F0%9F%98%80', '/%F0%9F%98%80'],
    ['/a%20b', '/a%20b'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalizePath(input)).toBe(expected);
  });
});

describe('canonicalizePath: rejected targets (400)', () => {
  it.each([
    ['encoded slash', '/admin%2Fx'],
    ['encoded slash lower case', '/admin%2fx'],
    ['encoded backslash', '/admin%5Cx'],
    ['encoded backslash lower case', '/admin%5cx'],
    ['raw backslash', '/admin\\x'],
    ['raw backslash dot segment', '/public\\..\\admin'],
    ['encoded NUL', '/a%00b'],
    ['encoded control', '/a%0Ab'],
    ['encoded control 1F', '/a%1fb'],
    ['encoded DEL', '/a%7Fb'],
    ['raw NUL', '/a\u0000b'],
    ['raw tab', '/a\tb'],
    ['raw DEL', '/a\u007fb'],
    ['raw space', '/a b'],
    ['raw non-ASCII', '/café'],
    ['raw hash', '/a#b'],
    ['invalid percent-encoding', '/a%zzb'],
    ['truncated percent-encoding', '/a%4'],
    ['lone percent', '/a%'],
    ['invalid UTF-8 (lone continuation)', '/a%80'],
    ['invalid UTF-8 (truncated sequence)', '/a%C3'],
    ['invalid UTF-8 (split by raw char)', '/a%C3x%A9'],
    ['overlong dot', '/a/%C0%AE%C0%AE/b'],
    ['overlong slash', '/a%C0%AFb'],
    ['UTF-16 surrogate', '/a%ED%A0%80'],
    ['escaping the root', '/..'],
    ['escaping the root later', '/a/../../b'],
    ['escaping the root encoded', '/%2e%2e/etc/passwd'],
    ['double encoding', '/a%252e%252e/b'],
    ['double encoding built from unreserved', '/a%25%32%65'],
    ['tomcat dot-dot with parameters', '/public/..;/admin'],
    ['tomcat dot with parameters', '/public/.;x/admin'],
    ['no leading slash', 'a/b'],
  ])('%s: %j', (_name, input) => {
    let caught: unknown;
    try {
      canonicalizePath(input);
    } catch (err) {
      caught = err;
    }
    expect(isGatewayError(caught, 'ERR_REQUEST_TARGET_INVALID')).toBe(true);
    expect((caught as { status: number }).status).toBe(400);
  });
});

describe('canonicalize: whole request', () => {
  it.each([
    [
      'origin-form',
      raw({ target: '/x?a=1&b=%2F' }),
      { host: 'app.example.com', path: '/x', query: 'a=1&b=%2F' },
    ],
    [
      'host upper case and trailing dot',
      raw({ host: 'App.Example.COM.' }),
      { host: 'app.example.com' },
    ],
    [
      'default https port removed',
      raw({ host: 'app.example.com:443' }),
      { host: 'app.example.com', port: undefined },
    ],
    [
      'default http port removed',
      raw({ host: 'app.example.com:80', scheme: 'http' }),
      { host: 'app.example.com', port: undefined },
    ],
    [
      'non-default port kept',
      raw({ host: 'app.example.com:8443' }),
      { host: 'app.example.com', port: 8443 },
    ],
    ['port 80 on https kept', raw({ host: 'app.example.com:80' }), { port: 80 }],
    [
      'IPv6 literal kept bracketed',
      raw({ host: '[2001:DB8:0:0::1]:8080' }),
      { host: '[2001:db8::1]', port: 8080 },
    ],
    ['IPv4 literal', raw({ host: '127.0.0.1' }), { host: '127.0.0.1' }],
    ['method upper-cased', raw({ method: 'get' }), { method: 'GET' }],
    [
      'absolute-form replaces Host',
      raw({ target: 'https://LOCALHOST:443/a/../b?q', host: 'evil.test' }),
      { host: 'localhost', path: '/b', query: 'q' },
    ],
    [
      'absolute-form without path',
      raw({ target: 'https://app.example.com' }),
      { path: '/', query: '' },
    ],
    [
      'absolute-form with query only',
      raw({ target: 'https://app.example.com?x=1' }),
      { path: '/', query: 'x=1' },
    ],
    [
      'query kept verbatim',
      raw({ target: '/p?%2e%2e/../%2F&x=%zz' }),
      { path: '/p', query: '%2e%2e/../%2F&x=%zz' },
    ],
    ['empty query', raw({ target: '/p?' }), { path: '/p', query: '' }],
  ])('%s', (_name, input, expected) => {
    const c = canonicalize(input, opts);
    const { port, ...rest } = expected as { port?: number };
    expect(c).toMatchObject(rest);
    if ('port' in expected) expect(c.port).toBe(port);
    if ('port' in expected && port === undefined) expect('port' in c).toBe(false);
  });

  it.each([
    ['missing Host', raw({ host: undefined }), 'ERR_REQUEST_TARGET_INVALID'],
    ['empty Host', raw({ host: '' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host with userinfo', raw({ host: 'user@app.example.com' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host with space', raw({ host: 'app example.com' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host with slash', raw({ host: 'app.example.com/x' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host with backslash', raw({ host: 'app.example.com\\x' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host percent-encoded', raw({ host: 'app%2eexample.com' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host non-ASCII', raw({ host: 'bücher.example' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host empty label', raw({ host: 'app..example.com' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host empty port', raw({ host: 'app.example.com:' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host port 0', raw({ host: 'app.example.com:0' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host port too large', raw({ host: 'app.example.com:65536' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host two ports', raw({ host: 'app.example.com:1:2' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host decimal IPv4', raw({ host: '2130706433' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host hex IPv4', raw({ host: '0x7f.0.0.1' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host octal-looking IPv4', raw({ host: '127.000.0.1' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host IPv6 unbracketed', raw({ host: '::1' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host IPv6 with zone', raw({ host: '[fe80::1%25eth0]' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['Host IPv6 bad', raw({ host: '[12345::]' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['asterisk-form', raw({ method: 'OPTIONS', target: '*' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['authority-form', raw({ target: 'app.example.com:443' }), 'ERR_REQUEST_TARGET_INVALID'],
    [
      'CONNECT',
      raw({ method: 'CONNECT', target: 'app.example.com:443' }),
      'ERR_REQUEST_TARGET_INVALID',
    ],
    ['invalid method', raw({ method: 'GE T' }), 'ERR_REQUEST_TARGET_INVALID'],
    [
      'absolute-form unknown host',
      raw({ target: 'https://evil.test/admin' }),
      'ERR_REQUEST_HOST_UNKNOWN',
    ],
    [
      'absolute-form scheme differs',
      raw({ target: 'http://app.example.com/' }),
      'ERR_REQUEST_TARGET_INVALID',
    ],
    [
      'absolute-form userinfo',
      raw({ target: 'https://user@app.example.com/' }),
      'ERR_REQUEST_TARGET_INVALID',
    ],
    [
      'absolute-form backslash',
      raw({ target: 'https://app.example.com\\@evil.test/' }),
      'ERR_REQUEST_TARGET_INVALID',
    ],
    ['absolute-form empty host', raw({ target: 'https:///x' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['other scheme', raw({ target: 'ftp://app.example.com/' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['query with raw space', raw({ target: '/p?a b' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['query with raw control', raw({ target: '/p?a\u0001' }), 'ERR_REQUEST_TARGET_INVALID'],
    ['query with hash', raw({ target: '/p?a#b' }), 'ERR_REQUEST_TARGET_INVALID'],
    [
      'path with encoded slash',
      raw({ target: '/admin%2f..%2fpublic' }),
      'ERR_REQUEST_TARGET_INVALID',
    ],
  ])('rejects %s', (_name, input, code) => {
    let caught: unknown;
    try {
      canonicalize(input, opts);
    } catch (err) {
      caught = err;
    }
    expect(isGatewayError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe(code);
    expect((caught as { status: number }).status).toBe(400);
  });

  it('keeps the client address and scheme', () => {
    const c = canonicalize(raw({ clientIp: '::1', scheme: 'http', host: 'localhost:8080' }), opts);
    expect(c).toEqual({
      method: 'GET',
      host: 'localhost',
      port: 8080,
      scheme: 'http',
      path: '/',
      query: '',
      clientIp: '::1',
    });
  });
});
