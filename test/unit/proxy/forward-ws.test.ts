import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { isGatewayError } from '../../../src/core/index.js';
import { createForwarder, type ForwardTarget, type Forwarder } from '../../../src/proxy/index.js';
import {
  closeServer,
  deadPort,
  deferred,
  listen,
  startGateway,
  within,
  type Gateway,
} from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function forwarder(timeoutMs = 10_000): Forwarder {
  const f = createForwarder({ connectTimeoutMs: 2000, timeoutMs, maxSockets: 16 });
  cleanups.push(() => {
    f.close();
  });
  return f;
}

async function gateway(
  f: Forwarder,
  shape: (req: IncomingMessage) => ForwardTarget,
): Promise<Gateway> {
  const gw = await startGateway(f, shape);
  cleanups.push(() => gw.close());
  return gw;
}

/** An upstream echo WebSocket server that records the upgrade request it received. */
async function echoUpstream(): Promise<{
  url: string;
  upgrade: Promise<IncomingMessage>;
  closed: Promise<void>;
}> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const upgrade = deferred<IncomingMessage>();
  const closed = deferred();
  wss.on('connection', (ws, req) => {
    upgrade.resolve(req);
    ws.on('message', (data: Buffer) => {
      ws.send(`echo:${data.toString()}`);
    });
    ws.on('close', () => {
      closed.resolve();
    });
  });
  const url = await listen(server);
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    await closeServer(server);
  });
  return { url, upgrade: upgrade.promise, closed: closed.promise };
}

/** Opens a client WebSocket; resolves with it once open, or with the HTTP status it got instead. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('Forwarder.ws', () => {
  it('round-trips messages and hands the shaped headers to the upstream', async () => {
    const up = await echoUpstream();
    const gw = await gateway(forwarder(), (req) => {
      const headers: OutgoingHttpHeaders = {
        ...req.headers,
        host: 'app.example',
        'x-gatehouse-user': 'alice',
      };
      delete headers['x-client-secret'];
      return { upstream: new URL(`${up.url}/base`), target: req.url ?? '/', headers };
    });
    const ws = await connect(`${gw.url.replace('http', 'ws')}/chat?room=1`, {
      'x-client-secret': 'must-not-pass',
    });
    if (typeof ws === 'number') throw new Error(`upgrade refused with ${ws}`);
    const reply = new Promise<string>((resolve) =>
      ws.once('message', (d: Buffer) => {
        resolve(d.toString());
      }),
    );
    ws.send('hello');
    expect(await reply).toBe('echo:hello');

    const req = await up.upgrade;
    expect(req.url).toBe('/base/chat?room=1');
    expect(req.headers.host).toBe('app.example');
    expect(req.headers['x-gatehouse-user']).toBe('alice');
    expect(req.headers['x-client-secret']).toBeUndefined();
    expect(req.headers.upgrade).toBe('websocket');
    expect(req.headers.connection).toBe('Upgrade');
    expect(req.headers['sec-websocket-key']).toBeTypeOf('string');
    expect(req.headers['x-forwarded-for']).toBeUndefined();

    ws.close();
    await within(up.closed, 5000, 'upstream did not see the close');
    expect(gw.errors).toHaveLength(0);
  });

  it('reports a dead upstream through the error callback (502 on the raw socket)', async () => {
    const port = await deadPort();
    const gw = await gateway(forwarder(), (req) => ({
      upstream: new URL(`http://127.0.0.1:${port}`),
      target: req.url ?? '/',
      headers: { ...req.headers },
    }));
    expect(await connect(`${gw.url.replace('http', 'ws')}/dead`)).toBe(502);
    expect(gw.errors).toHaveLength(1);
    expect(isGatewayError(gw.errors[0], 'ERR_UPSTREAM_UNAVAILABLE')).toBe(true);
  });

  it('reports an upstream that never answers the upgrade as ERR_UPSTREAM_TIMEOUT (504)', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const sockets = new Set<net.Socket>();
    silent.on('connection', (s) => sockets.add(s));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          silent.close(() => {
            r();
          });
        }),
    );
    const { port } = silent.address() as net.AddressInfo;
    const gw = await gateway(forwarder(250), (req) => ({
      upstream: new URL(`http://127.0.0.1:${port}`),
      target: req.url ?? '/',
      headers: { ...req.headers },
    }));
    expect(await connect(`${gw.url.replace('http', 'ws')}/silent`)).toBe(504);
    expect(isGatewayError(gw.errors[0], 'ERR_UPSTREAM_TIMEOUT')).toBe(true);
  });

  it('passes an upstream refusal through without calling the error callback', async () => {
    const server = http.createServer();
    server.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nKeep-Alive: timeout=9\r\n\r\nno');
    });
    const url = await listen(server);
    cleanups.push(() => closeServer(server));
    const gw = await gateway(forwarder(), (req) => ({
      upstream: new URL(url),
      target: req.url ?? '/',
      headers: { ...req.headers },
    }));
    expect(await connect(`${gw.url.replace('http', 'ws')}/nope`)).toBe(403);
    expect(gw.errors).toHaveLength(0);
  });

  it('refuses upgrades to anything but WebSocket with ERR_REQUEST_TARGET_INVALID (400)', async () => {
    const up = await echoUpstream();
    const gw = await gateway(forwarder(), (req) => ({
      upstream: new URL(up.url),
      target: req.url ?? '/',
      headers: { ...req.headers },
    }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.url}/h2`, {
        agent: false,
        headers: { connection: 'Upgrade', upgrade: 'h2c' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('upgrade', () => {
        reject(new Error('upgraded'));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    expect(isGatewayError(gw.errors[0], 'ERR_REQUEST_TARGET_INVALID')).toBe(true);
  });

  it('closes the client connection when the upstream closes after the upgrade', async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => {
      ws.terminate();
    });
    const url = await listen(server);
    cleanups.push(async () => {
      wss.close();
      await closeServer(server);
    });
    const gw = await gateway(forwarder(), (req) => ({
      upstream: new URL(url),
      target: req.url ?? '/',
      headers: { ...req.headers },
    }));
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/bye`);
    ws.on('error', () => undefined);
    await within(
      new Promise<void>((resolve) =>
        ws.once('close', () => {
          resolve();
        }),
      ),
      5000,
      'client connection left open',
    );
    expect(gw.errors).toHaveLength(0);
  });
});
