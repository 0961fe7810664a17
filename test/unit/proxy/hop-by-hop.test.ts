import type { OutgoingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connectionTokens, stripHopByHop } from '../../../src/proxy/index.js';

describe('stripHopByHop', () => {
  const cases: [name: string, input: OutgoingHttpHeaders, expected: OutgoingHttpHeaders][] = [
    [
      'removes the fixed RFC 9110 §7.6.1 set',
      {
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        trailer: 'x',
        'transfer-encoding': 'chunked',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic x',
        'proxy-authenticate': 'Basic',
        accept: 'text/html',
      },
      { accept: 'text/html' },
    ],
    [
      'removes fields named in Connection, case-insensitively, across repeated values',
      {
        Connection: ['X-One , x-two', 'X-THREE'],
        'x-one': '1',
        'X-Two': '2',
        'x-three': '3',
        'x-four': '4',
      },
      { 'x-four': '4' },
    ],
    [
      'matches fixed names case-insensitively and keeps the spelling of what stays',
      { 'Transfer-Encoding': 'chunked', 'X-Request-Id': 'abc', 'Keep-Alive': 'x' },
      { 'X-Request-Id': 'abc' },
    ],
    [
      'never lets Connection remove Host, Content-Length or forwarding headers',
      {
        connection: 'host, content-length, x-forwarded-for, forwarded, x-real-ip, cookie',
        host: 'a.example',
        'content-length': '3',
        'x-forwarded-for': '1.2.3.4',
        forwarded: 'for=1.2.3.4',
        'x-real-ip': '1.2.3.4',
        cookie: 'a=1',
      },
      {
        host: 'a.example',
        'content-length': '3',
        'x-forwarded-for': '1.2.3.4',
        forwarded: 'for=1.2.3.4',
        'x-real-ip': '1.2.3.4',
      },
    ],
    [
      'drops undefined values and keeps arrays and numbers',
      { a: undefined, b: ['1', '2'], c: 3 },
      { b: ['1', '2'], c: 3 },
    ],
    ['ignores empty Connection tokens', { connection: ' , ,', x: '1' }, { x: '1' }],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(stripHopByHop(input)).toEqual(expected);
  });

  it('keeps the names asked for (WebSocket upgrades)', () => {
    expect(
      stripHopByHop(
        { connection: 'Upgrade', upgrade: 'websocket', te: 'x' },
        { keep: ['upgrade'] },
      ),
    ).toEqual({
      upgrade: 'websocket',
    });
  });

  it('does not modify its input', () => {
    const input = { connection: 'x-a', 'x-a': '1' };
    stripHopByHop(input);
    expect(input).toEqual({ connection: 'x-a', 'x-a': '1' });
  });
});

describe('connectionTokens', () => {
  it('splits, trims and lower-cases', () => {
    expect([...connectionTokens('Keep-Alive, X-Foo,,x-bar ')]).toEqual([
      'keep-alive',
      'x-foo',
      'x-bar',
    ]);
    expect([...connectionTokens(undefined)]).toEqual([]);
    expect([...connectionTokens(5)]).toEqual([]);
  });
});
