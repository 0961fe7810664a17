import { Agent as HttpAgent, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import HttpProxy from 'http-proxy';
import { GatewayError, silentLogger, type Logger } from '../core/index.js';
import type { ForwardContext } from './forward-context.js';
import { forwardWeb } from './forward-web.js';
import { forwardWs } from './forward-ws.js';
import type { Forwarder } from './types.js';
import { TimeoutWheel } from './timeout-wheel.js';
import { systemCode } from './upstream-error.js';
import { upstreamEndpoint, type UpstreamEndpoint } from './upstream-target.js';

/** Timeout wheel resolution: a tenth of the shortest timeout, between 5 and 100 ms. */
function tickFor(connectTimeoutMs: number, timeoutMs: number): number {
  return Math.min(100, Math.max(5, Math.floor(Math.min(connectTimeoutMs, timeoutMs) / 10)));
}

/** Options for {@link createForwarder}. All durations are in milliseconds. */
export interface ForwarderOptions {
  /** Longest wait for a new upstream TCP connection (DNS lookup included), ms. Config: `upstream.connect_timeout`. */
  readonly connectTimeoutMs: number;
  /**
   * Default upstream timeout, ms (per call: `ForwardTarget.timeoutMs`): the longest wait for a
   * pooled socket, then the longest idle period (no byte either way) while waiting for and
   * streaming the response. Config: `upstream.timeout`.
   */
  readonly timeoutMs: number;
  /** Most concurrent sockets per upstream origin (`Infinity` allowed); more requests queue. */
  readonly maxSockets: number;
  /** Where failures are logged (no headers, no query strings). Default: a silent logger. */
  readonly logger?: Logger;
}

function positive(name: string, value: number, allowInfinity = false): number {
  const ok = allowInfinity && value === Infinity ? true : Number.isInteger(value) && value > 0;
  if (!ok) {
    throw new GatewayError('ERR_CONFIG_INVALID', `${name} must be a positive integer`, {
      expose: true,
      details: { option: name, value },
    });
  }
  return value;
}

/**
 * Creates the {@link Forwarder}: HTTP forwarding with `http.request` and WebSocket forwarding
 * through `http-proxy`, both over keep-alive agents (one for `http:`, one for `https:` upstreams;
 * certificates verified). Queue, connect and idle timeouts of HTTP requests are sampled by one
 * shared {@link TimeoutWheel} (never early, at most one tick — ≤ 100 ms — late).
 *
 * - The upstream receives exactly `target.headers` minus hop-by-hop fields (RFC 9110 §7.6.1),
 *   `Host` included as given; http-proxy adds no `X-Forwarded-*` and rewrites nothing. Body framing
 *   (`Content-Length`/`Transfer-Encoding`) follows the body being streamed.
 * - The request target is the upstream's base path + `target.target`, byte for byte.
 * - The client receives the upstream's status and headers minus hop-by-hop fields.
 * - Refused/unreachable/reset upstream → `onError(ERR_UPSTREAM_UNAVAILABLE, 502)`; connect, queue
 *   or idle timeout → `onError(ERR_UPSTREAM_TIMEOUT, 504)`. After the response started, the client
 *   connection is destroyed instead (and a warning logged). A client that goes away aborts the
 *   upstream request. `onError` is called at most once, never after a response was started.
 *
 * @throws GatewayError `ERR_CONFIG_INVALID` when a timeout or `maxSockets` is not a positive integer.
 * @see RFC 9110 §7.6 (message forwarding), RFC 9112 §9.3 (persistent connections), RFC 6455 §4
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs);
  const timeoutMs = positive('timeoutMs', options.timeoutMs);
  const maxSockets = positive('maxSockets', options.maxSockets, true);
  const logger = options.logger ?? silentLogger;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: Math.min(maxSockets, 256) };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);

  const proxy = HttpProxy.createProxyServer({});
  // Only the `stream` passes: `deleteLength` would add `Content-Length: 0` to DELETE/OPTIONS (and
  // drop a chunked body), `timeout`/`XHeaders` are unused. Headers, path and response are ours.
  const passes = proxy as unknown as {
    webPasses: { name: string }[];
    wsPasses: { name: string }[];
  };
  passes.webPasses = passes.webPasses.filter((pass) => pass.name === 'stream');
  passes.wsPasses = passes.wsPasses.filter((pass) => pass.name === 'stream');
  // Every call passes its own callback, so this only guards against a crash on an unexpected emit.
  proxy.on('error', (err: Error) => {
    logger.error({ cause: systemCode(err) }, 'unexpected http-proxy error');
  });

  const wsHooks = new WeakMap<IncomingMessage, (proxyReq: ClientRequest) => void>();
  proxy.on('proxyReqWs', (proxyReq: ClientRequest, req: IncomingMessage) => {
    wsHooks.get(req)?.(proxyReq);
  });

  const wheel = new TimeoutWheel(tickFor(connectTimeoutMs, timeoutMs), connectTimeoutMs);
  const endpoints = new WeakMap<URL, { href: string; endpoint: UpstreamEndpoint }>();
  const endpoint = (upstream: URL): UpstreamEndpoint => {
    const href = upstream.href;
    const cached = endpoints.get(upstream);
    if (cached?.href === href) return cached.endpoint;
    const fresh = upstreamEndpoint(upstream);
    endpoints.set(upstream, { href, endpoint: fresh });
    return fresh;
  };

  let closed = false;
  const ctx: ForwardContext = {
    proxy,
    httpAgent,
    httpsAgent,
    connectTimeoutMs,
    timeoutMs,
    logger,
    wheel,
    endpoint,
    wsHooks,
    isClosed: () => closed,
  };

  return {
    web(req, res, target, onError) {
      forwardWeb(ctx, req, res, target, onError);
    },
    ws(req, socket, head, target, onError) {
      forwardWs(ctx, req, socket, head, target, onError);
    },
    close() {
      closed = true;
      wheel.stop();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
