/**
 * Test helpers for proxy/: real servers on loopback ephemeral ports, a minimal gateway around a
 * Forwarder, and a raw HTTP client (no agent, so nothing is pooled on the client side).
 */
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { isGatewayError } from '../../../src/core/index.js';
import { writeUpgradeError, type ForwardTarget, type Forwarder } from '../../../src/proxy/index.js';

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = http.createServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}

export interface Gateway {
  readonly url: string;
  /** Errors passed to `onError`, in order. */
  readonly errors: Error[];
  close(): Promise<void>;
}

/**
 * A gateway: every request is forwarded with the target `shape` builds; `onError` answers with the
 * error's status and `{ code }`; upgrades are forwarded and errors written to the raw socket.
 */
export async function startGateway(
  forwarder: Forwarder,
  shape: (req: IncomingMessage) => ForwardTarget,
): Promise<Gateway> {
  const errors: Error[] = [];
  const server = http.createServer((req, res) => {
    forwarder.web(req, res, shape(req), (err) => {
      errors.push(err);
      const status = isGatewayError(err) ? err.status : 500;
      const code = isGatewayError(err) ? err.code : 'ERR_INTERNAL';
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code }));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    forwarder.ws(req, socket, head, shape(req), (err) => {
      errors.push(err);
      writeUpgradeError(
        socket,
        isGatewayError(err) ? err.status : 500,
        isGatewayError(err) ? err.code : 'ERR_INTERNAL',
      );
    });
  });
  const url = await listen(server);
  return { url, errors, close: () => closeServer(server) };
}

export interface ClientResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

/** One request with its own connection; resolves with the whole response. */
export function send(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: Readable | string } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    req.on('error', reject);
    if (typeof options.body === 'string') req.end(options.body);
    else if (options.body) options.body.pipe(req);
    else req.end();
  });
}

/** Lower-case header names from a rawHeaders list, in order, with repeats. */
export function rawNames(rawHeaders: string[]): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

/** A promise with its resolve function, for awaiting events. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Rejects with `message` when `promise` has not settled after `ms` (a guard, not a sleep). */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(message));
    }, ms);
  });
  return Promise.race([promise, guard]).finally(() => {
    clearTimeout(timer);
  });
}
