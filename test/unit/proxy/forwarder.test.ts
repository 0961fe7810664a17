import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/core/index.js';
import { createForwarder, type ForwardTarget, type Forwarder } from '../../../src/proxy/index.js';
import {
  closeServer,
  deadPort,
  deferred,
  listen,
  rawNames,
  send,
  startGateway,
  within,
  type Gateway,
} from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function upstream(handler: Handler): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  const url = await listen(server);
  cleanups.push(() => closeServer(server));
  return { url, server };
}

function forwarder(options: Partial<Parameters<typeof createForwarder>[0]> = {}): Forwarder {
  const f = createForwarder({
    connectTimeoutMs: 2000,
    timeoutMs: 10_000,
    maxSockets: 16,
    ...options,
  });
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

/** Target = upstream + the client's own path, headers passed through except the client-only ones. */
function passThrough(upstreamUrl: string, extra: Partial<ForwardTarget> = {}) {
  return (req: IncomingMessage): ForwardTarget => ({
    upstream: new URL(upstreamUrl),
    target: req.url ?? '/',
    headers: { ...req.headers },
    ...extra,
  });
}

describe('Forwarder.web headers', () => {
  it('sends exactly the shaped headers minus hop-by-hop ones, including those named in Connection', async () => {
    const seen = deferred<IncomingMessage>();
    const up = await upstream((req, res) => {
      seen.resolve(req);
      res.end('ok');
    });
    const shaped = {
      host: 'app.example:8443',
      'x-custom': 'v',
      'X-Mixed-Case': 'M',
      'x-multi': ['a', 'b'],
      'x-drop-me': 'gone',
      'x-forwarded-for': '203.0.113.7',
      connection: 'keep-alive, X-Drop-Me, x-forwarded-for',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x-t',
      upgrade: 'h2c',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
    };
    const gw = await gateway(forwarder(), () => ({
      upstream: new URL(up.url),
      target: '/h',
      headers: shaped,
    }));
    const res = await send(`${gw.url}/h`, {
      headers: { 'x-client-only': 'leak', 'x-forwarded-proto': 'https' },
    });
    expect(res.status).toBe(200);
    const req = await seen.promise;
    // `connection: keep-alive` is the forwarder's own hop to the upstream (pooled connection).
    expect(rawNames(req.rawHeaders).sort()).toEqual(
      [
        'connection',
        'host',
        'x-custom',
        'x-forwarded-for',
        'x-mixed-case',
        'x-multi',
        'x-multi',
      ].sort(),
    );
    expect(req.headers.connection).toBe('keep-alive');
    expect(req.headers.host).toBe('app.example:8443');
    expect(req.headers['x-forwarded-for']).toBe('203.0.113.7');
    expect(req.headers['x-multi']).toBe('a, b');
    expect(req.rawHeaders).toContain('X-Mixed-Case');
  });

  it('removes hop-by-hop headers from the response and keeps repeated fields', async () => {
    const up = await upstream((_req, res) => {
      res.setHeader('x-keep', 'yes');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('connection', 'x-resp-drop');
      res.setHeader('x-resp-drop', '1');
      res.setHeader('keep-alive', 'timeout=99');
      res.setHeader('proxy-authenticate', 'Basic realm="x"');
      res.setHeader('upgrade', 'foo');
      res.setHeader('trailer', 'x-t');
      res.writeHead(201, 'Made It');
      res.end('created');
    });
    const gw = await gateway(forwarder(), passThrough(up.url));
    const res = await send(`${gw.url}/r`);
    expect(res.status).toBe(201);
    expect(res.body.toString()).toBe('created');
    expect(res.headers['x-keep']).toBe('yes');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    for (const name of ['x-resp-drop', 'keep-alive', 'proxy-authenticate', 'upgrade', 'trailer']) {
      expect(res.headers[name], name).toBeUndefined();
    }
    // The client asked for `Connection: close` (no agent): that is the gateway's own hop.
    expect(res.headers.connection).toBe('close');
  });
});

describe('Forwarder.web request target', () => {
  const cases: [base: string, target: string, expected: string][] = [
    ['', '/a/b?x=1&next=http://h//p', '/a/b?x=1&next=http://h//p'],
    ['/', '/a', '/a'],
    ['/base', '/a', '/base/a'],
    ['/base/', '/a', '/base/a'],
    ['/base//', '/a?q', '/base/a?q'],
    ['/base', '/', '/base/'],
    ['/base', '/a//b', '/base/a//b'],
    ['/base', '/http:/x', '/base/http:/x'],
  ];
  it.each(cases)('upstream base %j + target %j → %j', async (base, target, expected) => {
    const seen = deferred<string>();
    const up = await upstream((req, res) => {
      seen.resolve(req.url ?? '');
      res.end();
    });
    const gw = await gateway(forwarder(), () => ({
      upstream: new URL(up.url + base),
      target,
      headers: {},
    }));
    expect((await send(`${gw.url}/ignored`)).status).toBe(200);
    expect(await seen.promise).toBe(expected);
  });

  it('rejects a target that is not an origin-form path without contacting the upstream', async () => {
    let contacted = false;
    const up = await upstream((_req, res) => {
      contacted = true;
      res.end();
    });
    const gw = await gateway(forwarder(), () => ({
      upstream: new URL(up.url),
      target: 'http://evil/',
      headers: {},
    }));
    const res = await send(`${gw.url}/`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 'ERR_REQUEST_TARGET_INVALID' });
    expect(contacted).toBe(false);
  });
});

/** 20 MiB in 64 KiB chunks; chunk i is filled with i % 251. */
const CHUNK = 64 * 1024;
const CHUNKS = 320;
const chunkAt = (i: number): Buffer => Buffer.alloc(CHUNK, i % 251);

describe('Forwarder.web streaming', () => {
  it('streams a 20 MiB request body upstream before the client has finished sending it', async () => {
    const firstByte = deferred();
    const up = await upstream((req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
        firstByte.resolve();
      });
      req.on('end', () =>
        res.end(
          JSON.stringify({
            bytes,
            sha256: hash.digest('hex'),
            te: req.headers['transfer-encoding'],
          }),
        ),
      );
    });
    const gw = await gateway(forwarder(), passThrough(up.url));
    const sent = createHash('sha256');
    async function* body() {
      for (let i = 0; i < CHUNKS; i++) {
        // Hold back the remaining 19 MiB until the upstream has seen the first byte: a forwarder
        // that buffers the whole body never gets there.
        if (i === 16)
          await within(
            firstByte.promise,
            5000,
            'upstream saw nothing before the body was complete',
          );
        const chunk = chunkAt(i);
        sent.update(chunk);
        yield chunk;
      }
    }
    const res = await send(`${gw.url}/upload`, { method: 'POST', body: Readable.from(body()) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({
      bytes: CHUNK * CHUNKS,
      sha256: sent.digest('hex'),
      te: 'chunked',
    });
  });

  it('streams a 20 MiB response to the client before the upstream has finished sending it', async () => {
    const clientFirstByte = deferred();
    const sent = createHash('sha256');
    const up = await upstream((_req, res) => {
      void (async () => {
        res.writeHead(200, { 'content-length': String(CHUNK * CHUNKS) });
        for (let i = 0; i < CHUNKS; i++) {
          if (i === 16)
            await within(
              clientFirstByte.promise,
              5000,
              'client saw nothing before the upstream finished',
            );
          const chunk = chunkAt(i);
          sent.update(chunk);
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        }
        res.end();
      })().catch(() => res.destroy());
    });
    const gw = await gateway(forwarder(), passThrough(up.url));
    const received = await new Promise<{
      bytes: number;
      sha256: string;
      length: string | undefined;
    }>((resolve, reject) => {
      http
        .get(`${gw.url}/download`, { agent: false }, (res) => {
          const hash = createHash('sha256');
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            hash.update(c);
            clientFirstByte.resolve();
          });
          res.on('end', () => {
            resolve({ bytes, sha256: hash.digest('hex'), length: res.headers['content-length'] });
          });
          res.on('error', reject);
        })
        .on('error', reject);
    });
    expect(received).toEqual({
      bytes: CHUNK * CHUNKS,
      sha256: sent.digest('hex'),
      length: String(CHUNK * CHUNKS),
    });
  });

  it('forwards a DELETE with a chunked body intact (no Content-Length: 0 added)', async () => {
    const seen = deferred<{ body: string; cl: string | undefined; te: string | undefined }>();
    const up = await upstream((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.resolve({
          body,
          cl: req.headers['content-length'],
          te: req.headers['transfer-encoding'],
        });
        res.end();
      });
    });
    const gw = await gateway(forwarder(), passThrough(up.url));
    const res = await send(`${gw.url}/item`, {
      method: 'DELETE',
      headers: { 'transfer-encoding': 'chunked' },
      body: Readable.from(['{"a":', '1}']),
    });
    expect(res.status).toBe(200);
    expect(await seen.promise).toEqual({ body: '{"a":1}', cl: undefined, te: 'chunked' });
  });
});

describe('Forwarder.web Expect', () => {
  it('forwards Expect: 100-continue with the right path and the whole body', async () => {
    const seen = deferred<{ url: string | undefined; expect: string | undefined; body: string }>();
    const up = await upstream((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.resolve({ url: req.url, expect: req.headers.expect, body });
        res.end('done');
      });
    });
    const gw = await gateway(forwarder(), passThrough(`${up.url}/base`));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.url}/e//x?x=1`, {
        method: 'POST',
        agent: false,
        headers: { expect: '100-continue', 'content-length': '5' },
      });
      req.on('continue', () => req.end('hello'));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    expect(status).toBe(200);
    expect(await seen.promise).toEqual({
      url: '/base/e//x?x=1',
      expect: '100-continue',
      body: 'hello',
    });
  });
});

describe('Forwarder.web connections', () => {
  it('reuses upstream connections for sequential requests (keep-alive)', async () => {
    let connections = 0;
    const up = await upstream((_req, res) => res.end('ok'));
    up.server.on('connection', () => connections++);
    const gw = await gateway(forwarder(), passThrough(up.url));
    for (let i = 0; i < 25; i++) expect((await send(`${gw.url}/k${i}`)).status).toBe(200);
    expect(connections).toBeGreaterThanOrEqual(1);
    expect(connections).toBeLessThanOrEqual(2);
  });

  it('opens at most maxSockets connections to one upstream and queues the rest', async () => {
    let connections = 0;
    const held: ServerResponse[] = [];
    // Answer in pairs: only possible when at least two requests are in flight at once.
    const up = await upstream((_req, res) => {
      held.push(res);
      if (held.length === 2) for (const r of held.splice(0)) r.end('ok');
    });
    up.server.on('connection', () => connections++);
    const gw = await gateway(forwarder({ maxSockets: 2 }), passThrough(up.url));
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => send(`${gw.url}/c${i}`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(connections).toBe(2);
  });
});

describe('Forwarder.web failures', () => {
  it('reports a refused upstream as ERR_UPSTREAM_UNAVAILABLE (502)', async () => {
    const port = await deadPort();
    const gw = await gateway(forwarder(), passThrough(`http://127.0.0.1:${port}`));
    const res = await send(`${gw.url}/x`);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 'ERR_UPSTREAM_UNAVAILABLE' });
    expect(gw.errors).toHaveLength(1);
    expect(isGatewayError(gw.errors[0], 'ERR_UPSTREAM_UNAVAILABLE')).toBe(true);
  });

  it('reports an upstream that never answers as ERR_UPSTREAM_TIMEOUT (504) within the per-call timeout', async () => {
    const up = await upstream(() => undefined);
    const gw = await gateway(
      forwarder({ timeoutMs: 60_000 }),
      passThrough(up.url, { timeoutMs: 300 }),
    );
    const started = performance.now();
    const res = await send(`${gw.url}/slow`);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 'ERR_UPSTREAM_TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(3000);
  });

  it('reports a request that waits too long for a pooled socket as ERR_UPSTREAM_TIMEOUT (504, queue)', async () => {
    const holding = deferred();
    const up = await upstream((req, res) => {
      if (req.url === '/hold') {
        holding.resolve(); // keeps the only socket busy
        return;
      }
      res.end('ok');
    });
    const gw = await gateway(forwarder({ maxSockets: 1 }), (req) => ({
      upstream: new URL(up.url),
      target: req.url ?? '/',
      headers: {},
      timeoutMs: req.url === '/hold' ? 60_000 : 300,
    }));
    void send(`${gw.url}/hold`).catch(() => undefined);
    await holding.promise;
    const res = await within(send(`${gw.url}/queued`), 5000, 'queue timeout not applied');
    expect(res.status).toBe(504);
    expect(gw.errors[0]).toMatchObject({
      code: 'ERR_UPSTREAM_TIMEOUT',
      details: { phase: 'queue' },
    });
  });

  it('uses the forwarder-wide timeout when the target sets none', async () => {
    const up = await upstream(() => undefined);
    const gw = await gateway(forwarder({ timeoutMs: 200 }), passThrough(up.url));
    const res = await within(send(`${gw.url}/slow`), 5000, 'default timeout not applied');
    expect(res.status).toBe(504);
  });

  it('reports a malformed upstream response as ERR_UPSTREAM_UNAVAILABLE (502)', async () => {
    const raw = net.createServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 0\r\n\r\n'),
      );
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) =>
          raw.close(() => {
            r();
          }),
        ),
    );
    const { port } = raw.address() as net.AddressInfo;
    const gw = await gateway(forwarder(), passThrough(`http://127.0.0.1:${port}`));
    const res = await send(`${gw.url}/bad`);
    expect(res.status).toBe(502);
  });

  it('destroys the client connection when the upstream stalls after the response started', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const gw = await gateway(forwarder(), passThrough(up.url, { timeoutMs: 300 }));
    const outcome = await new Promise<string>((resolve) => {
      http
        .get(`${gw.url}/stall`, { agent: false }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            resolve('complete');
          });
          res.on('close', () => {
            resolve(res.complete ? 'complete' : 'cut');
          });
          res.on('error', () => {
            resolve('cut');
          });
        })
        .on('error', () => {
          resolve('cut');
        });
    });
    expect(outcome).toBe('cut');
    expect(gw.errors).toHaveLength(0);
  });

  it('destroys the client connection when the upstream resets mid-response', async () => {
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => res.socket?.destroy());
    });
    const gw = await gateway(forwarder(), passThrough(up.url));
    const outcome = await new Promise<string>((resolve) => {
      http
        .get(`${gw.url}/reset`, { agent: false }, (res) => {
          res.on('data', () => undefined);
          res.on('close', () => {
            resolve(res.complete ? 'complete' : 'cut');
          });
          res.on('error', () => {
            resolve('cut');
          });
        })
        .on('error', () => {
          resolve('cut');
        });
    });
    expect(outcome).toBe('cut');
    expect(gw.errors).toHaveLength(0);
  });

  it('aborts the upstream request when the client goes away while waiting', async () => {
    const arrived = deferred();
    const upstreamClosed = deferred();
    const up = await upstream((req) => {
      req.socket.once('close', () => {
        upstreamClosed.resolve();
      });
      arrived.resolve();
    });
    const gw = await gateway(forwarder(), passThrough(up.url));
    const client = http.get(`${gw.url}/wait`, { agent: false });
    client.on('error', () => undefined);
    await arrived.promise;
    client.destroy();
    await within(
      upstreamClosed.promise,
      5000,
      'upstream connection still open after the client left',
    );
    expect(gw.errors).toHaveLength(0);
  });

  it('aborts the upstream request when the client goes away mid-upload', async () => {
    const gotBytes = deferred();
    const upstreamAborted = deferred();
    const up = await upstream((req) => {
      req.once('data', () => {
        gotBytes.resolve();
      });
      req.once('close', () => {
        upstreamAborted.resolve();
      });
    });
    const gw = await gateway(forwarder(), passThrough(up.url));
    const client = http.request(`${gw.url}/up`, { method: 'PUT', agent: false });
    client.on('error', () => undefined);
    client.write(Buffer.alloc(1024, 1));
    await gotBytes.promise;
    client.destroy();
    await within(
      upstreamAborted.promise,
      5000,
      'upstream request still open after the client left',
    );
    expect(gw.errors).toHaveLength(0);
  });
});

describe('createForwarder', () => {
  it('rejects non-positive timeouts and socket limits', () => {
    expect(() => createForwarder({ connectTimeoutMs: 0, timeoutMs: 1, maxSockets: 1 })).toThrow(
      /connectTimeoutMs/,
    );
    expect(() => createForwarder({ connectTimeoutMs: 1, timeoutMs: -5, maxSockets: 1 })).toThrow(
      /timeoutMs/,
    );
    expect(() => createForwarder({ connectTimeoutMs: 1, timeoutMs: 1, maxSockets: 1.5 })).toThrow(
      /maxSockets/,
    );
    expect(() => {
      createForwarder({ connectTimeoutMs: 1, timeoutMs: 1, maxSockets: Infinity }).close();
    }).not.toThrow();
  });

  it('fails calls made after close() with ERR_UPSTREAM_UNAVAILABLE', async () => {
    const up = await upstream((_req, res) => res.end('ok'));
    const f = forwarder();
    const gw = await gateway(f, passThrough(up.url));
    expect((await send(`${gw.url}/`)).status).toBe(200);
    f.close();
    const res = await send(`${gw.url}/`);
    expect(res.status).toBe(502);
    expect(isGatewayError(gw.errors[0], 'ERR_UPSTREAM_UNAVAILABLE')).toBe(true);
  });
});
