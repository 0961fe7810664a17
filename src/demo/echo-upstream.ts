/**
 * DEVELOPMENT ONLY — never use in production. An upstream that answers every request with
 * what it received, so the demo and the tests can see exactly what the gateway forwarded
 * (identity headers, stripped headers, path, body). WebSocket upgrades are accepted and echo.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { closeServer } from './close-server.js';

/** Options of {@link startEchoUpstream}. */
export interface EchoUpstreamOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Largest request body echoed, in bytes; larger bodies are answered with 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/** The JSON body of every HTTP answer of the echo upstream. */
export interface EchoResponse {
  readonly method: string;
  /** The raw request target as received (`req.url`): path and query, undecoded. */
  readonly path: string;
  /** Headers as Node parsed them: lower-case names, repeated headers joined. */
  readonly headers: IncomingHttpHeaders;
  /** Header names and values exactly as received, in order: `[name, value, name, value, …]`. */
  readonly rawHeaders: readonly string[];
  /** The request body as UTF-8 text; absent when the request had none. */
  readonly body?: string;
}

/** The first message on every WebSocket connection: what the upgrade request carried. */
export interface EchoUpgradeMessage {
  readonly type: 'upgrade';
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** A running echo upstream. */
export interface EchoUpstream {
  /** Base URL, e.g. `http://127.0.0.1:41235`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, closes WebSockets and open connections. */
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Starts the echo upstream. HTTP: every request gets `200` with an {@link EchoResponse}.
 * WebSocket: on connect it sends an {@link EchoUpgradeMessage} (JSON text), then echoes every
 * message back unchanged (text stays text, binary stays binary).
 * @throws the listen error (e.g. `EADDRINUSE`).
 */
export async function startEchoUpstream(options: EchoUpstreamOptions = {}): Promise<EchoUpstream> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const server = createServer((req, res) => {
    readBody(req, limit).then(
      (body) => {
        if (body === undefined) {
          res.statusCode = 413;
          res.setHeader('Connection', 'close');
          res.end();
          return;
        }
        const echo: EchoResponse = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
        };
        const json = JSON.stringify(echo);
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', Buffer.byteLength(json));
        res.end(json);
      },
      () => {
        res.destroy();
      },
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const hello: EchoUpgradeMessage = {
        type: 'upgrade',
        path: req.url ?? '',
        headers: req.headers,
      };
      ws.send(JSON.stringify(hello));
      ws.on('message', (data, isBinary) => {
        ws.send(data, { binary: isBinary });
      });
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
      await closeServer(server);
    },
  };
}
