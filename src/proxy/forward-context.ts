import type {
  Agent as HttpAgent,
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
} from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type HttpProxy from 'http-proxy';
import type { Logger } from '../core/index.js';
import type { TimeoutWheel } from './timeout-wheel.js';
import type { UpstreamEndpoint } from './upstream-target.js';

/** What the web and WebSocket forwarding functions share (built once by `createForwarder`). */
export interface ForwardContext {
  readonly proxy: HttpProxy;
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  /** Connect timeout, ms. */
  readonly connectTimeoutMs: number;
  /** Default upstream idle/response timeout, ms. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Queue, connect and idle timeouts of plain HTTP requests. */
  readonly wheel: TimeoutWheel;
  /** `upstreamEndpoint(url)`, cached per URL object. @throws like `upstreamEndpoint`. */
  endpoint(upstream: URL): UpstreamEndpoint;
  /** Per-upgrade hooks, looked up by http-proxy's synchronous `proxyReqWs` event. */
  readonly wsHooks: WeakMap<IncomingMessage, (proxyReq: ClientRequest) => void>;
  /** True once `close()` was called. */
  isClosed(): boolean;
}

/**
 * Per-call http-proxy options: connect to `endpoint` through the keep-alive agent, send the
 * path and headers we set (no X-Forwarded-*, no origin or path rewriting), leave the response
 * to us (`selfHandleResponse`).
 */
export function proxyOptions(
  ctx: ForwardContext,
  endpoint: UpstreamEndpoint,
): HttpProxy.ServerOptions {
  const https = endpoint.protocol === 'https:';
  return {
    target: {
      protocol: endpoint.protocol,
      host: endpoint.hostname,
      hostname: endpoint.hostname,
      port: endpoint.port,
    },
    agent: https ? ctx.httpsAgent : ctx.httpAgent,
    // http-proxy fills this object in place: a fresh one per call.
    ssl: https ? { servername: endpoint.servername } : {},
    xfwd: false,
    changeOrigin: false,
    // Take req.url verbatim (no url.parse) and prepend nothing; the exact path is set again on
    // the outgoing request because http-proxy's urlJoin collapses repeated slashes.
    toProxy: true,
    prependPath: false,
    ignorePath: false,
    selfHandleResponse: true,
    followRedirects: false,
  };
}

/** Deletes every spelling of `name` (lower case) from `headers`; returns the last value seen. */
export function takeHeader(
  headers: OutgoingHttpHeaders,
  name: string,
): OutgoingHttpHeaders[string] {
  let value: OutgoingHttpHeaders[string];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      value = headers[key];
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- header names are data
      delete headers[key];
    }
  }
  return value;
}

/**
 * Runs `fn` with `req.headers` and `req.url` temporarily replaced: http-proxy copies both into
 * the outgoing request synchronously, and nothing else of the caller's request is changed.
 */
export function withOutgoingHead(
  req: IncomingMessage,
  headers: OutgoingHttpHeaders,
  url: string,
  fn: () => void,
): void {
  const savedHeaders = req.headers;
  const savedUrl = req.url;
  req.headers = headers as IncomingHttpHeaders;
  req.url = url;
  try {
    fn();
  } finally {
    req.headers = savedHeaders;
    req.url = savedUrl;
  }
}
