import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import WebSocket from 'ws';
import { once } from 'node:events';
import http from 'node:http';
import type { EchoUpstream } from '../../../src/demo/index.js';
import { parseEcho, startTestEchoUpstream } from '../../helpers/echo-upstream.js';

let echo: EchoUpstream;

beforeAll(async () => {
  echo = await startTestEchoUpstream();
});
afterAll(async () => {
  await echo.close();
});

function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: echo.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body,
        });
      });
    });
    req.on('error', reject);
  });
}

describe('startEchoUpstream: HTTP', () => {
  it('answers with the method, raw path, headers and no body for a GET', async () => {
    // node:http sends the target as written (WHATWG URL would resolve the %2e segments).
    const res = await rawGet('/a/%2e%2E/b?x=1&y=%20', {
      'x-forwarded-user': 'alice',
      'X-Custom': 'One',
    });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/application\/json/);
    const body = parseEcho(res.body);
    expect(body.method).toBe('GET');
    expect(body.path).toBe('/a/%2e%2E/b?x=1&y=%20');
    expect(body.headers['x-forwarded-user']).toBe('alice');
    expect(body.headers['x-custom']).toBe('One');
    expect(body.rawHeaders).toEqual(expect.arrayContaining(['X-Custom', 'One']));
    expect(body).not.toHaveProperty('body');
  });

  it('echoes a request body and keeps repeated headers visible in rawHeaders', async () => {
    const res = await request(`${echo.url}/submit`, {
      method: 'POST',
      headers: ['content-type', 'application/json', 'x-dup', 'a', 'x-dup', 'b'],
      body: '{"hello":"world"}',
    });
    const body = parseEcho(await res.body.text());
    expect(body.method).toBe('POST');
    expect(body.body).toBe('{"hello":"world"}');
    expect(
      body.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-dup'),
    ).toHaveLength(2);
  });
});

describe('startEchoUpstream: WebSocket', () => {
  it('sends the upgrade headers on connect, then echoes text and binary messages', async () => {
    const ws = new WebSocket(`${echo.url.replace('http', 'ws')}/socket?room=1`, {
      headers: { 'x-forwarded-email': 'alice@example.com' },
    });
    const messages: { data: Buffer; isBinary: boolean }[] = [];
    const waiters: (() => void)[] = [];
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      messages.push({ data, isBinary });
      waiters.shift()?.();
    });
    const next = async (n: number): Promise<void> => {
      while (messages.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    await once(ws, 'open');
    await next(1);
    const hello = JSON.parse(messages[0]!.data.toString('utf8'));
    expect(hello).toMatchObject({ type: 'upgrade', path: '/socket?room=1' });
    expect(hello.headers['x-forwarded-email']).toBe('alice@example.com');
    expect(hello.headers.upgrade).toBe('websocket');

    ws.send('ping text');
    await next(2);
    expect(messages[1]).toMatchObject({ isBinary: false });
    expect(messages[1]!.data.toString('utf8')).toBe('ping text');

    ws.send(Buffer.from([0, 1, 2, 255]));
    await next(3);
    expect(messages[2]!.isBinary).toBe(true);
    expect([...messages[2]!.data]).toEqual([0, 1, 2, 255]);
    ws.close();
    await once(ws, 'close');
  });

  it('closes open WebSockets on close()', async () => {
    const own = await startTestEchoUpstream();
    const ws = new WebSocket(`${own.url.replace('http', 'ws')}/`);
    await once(ws, 'open');
    const closed = once(ws, 'close');
    await own.close();
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });
});
