import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/core/index.js';
import { joinUpstreamPath } from '../../../src/proxy/index.js';
import { upstreamEndpoint } from '../../../src/proxy/upstream-target.js';

describe('joinUpstreamPath', () => {
  it.each([
    ['http://u', '/a?b=1', '/a?b=1'],
    ['http://u/', '/', '/'],
    ['http://u/base', '/', '/base/'],
    ['http://u/base/', '/a/b', '/base/a/b'],
    ['http://u/base?ignored=1', '/a', '/base/a'],
    ['http://u/b%20c', '/a%2Fb', '/b%20c/a%2Fb'],
  ])('%s + %s → %s', (upstream, target, expected) => {
    expect(joinUpstreamPath(new URL(upstream), target)).toBe(expected);
  });

  it.each(['', 'a', '*', 'http://evil/', '/a b', '/a\r\nX-Injected: 1', '/\u0100'])(
    'rejects %j with ERR_REQUEST_TARGET_INVALID',
    (target) => {
      let thrown: unknown;
      try {
        joinUpstreamPath(new URL('http://u/base'), target);
      } catch (err) {
        thrown = err;
      }
      expect(isGatewayError(thrown, 'ERR_REQUEST_TARGET_INVALID')).toBe(true);
    },
  );
});

describe('upstreamEndpoint', () => {
  it('applies default ports, unwraps IPv6 literals and sends SNI only for names', () => {
    expect(upstreamEndpoint(new URL('https://app.internal/x'))).toEqual({
      protocol: 'https:',
      hostname: 'app.internal',
      port: 443,
      servername: 'app.internal',
    });
    expect(upstreamEndpoint(new URL('http://[::1]:8080'))).toEqual({
      protocol: 'http:',
      hostname: '::1',
      port: 8080,
      servername: '',
    });
    expect(upstreamEndpoint(new URL('http://10.0.0.5')).port).toBe(80);
  });

  it('rejects other protocols', () => {
    expect(() => upstreamEndpoint(new URL('ftp://x'))).toThrow(/http or https/);
  });
});
