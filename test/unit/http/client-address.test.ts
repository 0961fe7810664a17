import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { createClientInfoResolver } from '../../../src/http/client-address.js';

function fakeRequest(remoteAddress: string, headers: Record<string, string>): IncomingMessage {
  // A plain object standing in for IncomingMessage: only socket.remoteAddress and headers are read.
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

describe('createClientInfoResolver (trusted proxies)', () => {
  const resolve = createClientInfoResolver(['10.0.0.0/8', '::1']);

  it('ignores forwarding headers from an untrusted peer', () => {
    const info = resolve(
      fakeRequest('203.0.113.9', {
        host: 'app.example.com',
        'x-forwarded-for': '1.2.3.4',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      }),
    );
    expect(info).toEqual({ ip: '203.0.113.9', proto: 'http', host: 'app.example.com', priorFor: undefined });
  });

  it('believes a trusted proxy and takes the right-most untrusted address', () => {
    const info = resolve(
      fakeRequest('::ffff:10.1.2.3', {
        host: 'internal',
        'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.9.9.9',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'app.example.com',
      }),
    );
    expect(info.ip).toBe('198.51.100.7');
    expect(info.proto).toBe('https');
    expect(info.host).toBe('app.example.com');
    expect(info.priorFor).toBe('6.6.6.6');
  });

  it('stops at a malformed address in the chain', () => {
    const info = resolve(fakeRequest('10.0.0.1', { host: 'h', 'x-forwarded-for': '1.1.1.1, junk' }));
    expect(info.ip).toBe('10.0.0.1');
  });

  it('with no trusted proxies, every peer is the client', () => {
    const none = createClientInfoResolver([]);
    expect(none(fakeRequest('10.0.0.1', { host: 'h', 'x-forwarded-for': '1.1.1.1' })).ip).toBe('10.0.0.1');
  });
});
