import { describe, expect, it } from 'vitest';
import { forwardedHeaders } from '../../../src/headers/index.js';

describe('forwardedHeaders', () => {
  it('builds X-Forwarded-* and Forwarded for an IPv4 client', () => {
    expect(forwardedHeaders({ clientIp: '203.0.113.7', proto: 'https', host: 'app.example.com' })).toEqual({
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example.com',
      forwarded: 'for=203.0.113.7;proto=https;host=app.example.com',
    });
  });

  it('brackets and quotes IPv6 nodes and quotes a host with a port (RFC 7239 §6, §4)', () => {
    const h = forwardedHeaders({ clientIp: '2001:db8::1', proto: 'http', host: 'app.example.com:8443' });
    expect(h.forwarded).toBe('for="[2001:db8::1]";proto=http;host="app.example.com:8443"');
    expect(h['x-forwarded-for']).toBe('2001:db8::1');
    expect(h['x-forwarded-host']).toBe('app.example.com:8443');
  });

  it('keeps valid prior hops in front of the client and drops anything that is not an address', () => {
    const h = forwardedHeaders({
      clientIp: '198.51.100.2',
      proto: 'https',
      host: 'a.example',
      priorFor: '192.0.2.1, unknown, evil\r\nX-Forwarded-User: root,  2001:db8::5 ',
    });
    expect(h['x-forwarded-for']).toBe('192.0.2.1, 2001:db8::5, 198.51.100.2');
    expect(h.forwarded).toBe('for=192.0.2.1, for="[2001:db8::5]", for=198.51.100.2;proto=https;host=a.example');
  });

  it.each([
    ['client ip not an address', { clientIp: 'localhost', proto: 'https' as const, host: 'a.example' }],
    ['host with CR/LF', { clientIp: '192.0.2.1', proto: 'https' as const, host: 'a.example\r\nX-Evil: 1' }],
    ['host with a comma', { clientIp: '192.0.2.1', proto: 'https' as const, host: 'a.example,b.example' }],
  ])('fails closed: %s', (_what, input) => {
    expect(() => forwardedHeaders(input)).toThrow(expect.objectContaining({ code: 'ERR_INTERNAL' }));
  });
});
