import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { GatewayError } from '../core/index.js';
import type { ForwardContext } from './forward-context.js';
import { stripHopByHopList, upstreamHeaderList } from './hop-by-hop.js';
import type { ForwardTarget } from './types.js';
import { systemCode, toUpstreamError, upstreamTimeout } from './upstream-error.js';
import { joinUpstreamPath } from './upstream-target.js';

/** Reason phrases that may be repeated to the client (RFC 9112 §4). */
const SAFE_REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when the request announces a body (RFC 9112 §6.3): Transfer-Encoding or a non-zero Content-Length. */
function hasBody(req: IncomingMessage): boolean {
  const { headers } = req;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Writes the upstream response head to `res`: status, safe reason phrase, and every field of
 * `rawHeaders` minus hop-by-hop fields (repeated fields and spellings kept). Framing
 * (`Transfer-Encoding`) is redone by the gateway's own server.
 *
 * @throws TypeError (Node `ERR_INVALID_HTTP_TOKEN` / `ERR_INVALID_CHAR`) when a name or value
 *   cannot be written; nothing has been sent then.
 */
function writeResponseHead(res: ServerResponse, proxyRes: IncomingMessage): void {
  const list = stripHopByHopList(proxyRes.rawHeaders);
  const status = proxyRes.statusCode ?? 502;
  const reason = proxyRes.statusMessage;
  const safeReason =
    reason !== undefined && reason !== '' && SAFE_REASON.test(reason) ? reason : undefined;
  try {
    if (res.getHeaderNames().length === 0) {
      // Fast path: the list goes to the wire as is (Node validates every name and value).
      if (safeReason === undefined) res.writeHead(status, list);
      else res.writeHead(status, safeReason, list);
      return;
    }
    // Headers set on `res` before forwarding: upstream fields replace same-named ones.
    const seen = new Set<string>();
    for (let i = 0; i + 1 < list.length; i += 2) {
      const name = list[i] as string;
      const value = list[i + 1] as string;
      const lower = name.toLowerCase();
      if (seen.has(lower)) res.appendHeader(name, value);
      else {
        seen.add(lower);
        res.setHeader(name, value);
      }
    }
    if (safeReason === undefined) res.writeHead(status);
    else res.writeHead(status, safeReason);
  } catch (err) {
    res.statusCode = 200;
    res.statusMessage = '';
    throw err;
  }
}

/**
 * Forwards one HTTP request (see `Forwarder.web`) with `http.request` through the keep-alive
 * agent. Streams the request body into the upstream request and the upstream response into
 * `res`, both with back-pressure. Per request: one upstream request, four listeners and an entry
 * in the timeout wheel (no timer of its own).
 */
export function forwardWeb(
  ctx: ForwardContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ForwardTarget,
  onError: (err: Error) => void,
): void {
  const origin = target.upstream.origin;
  const log = ctx.logger;
  let done = false;
  let clientGone = false;

  const fail = (err: unknown): void => {
    if (done) return;
    done = true;
    const error = toUpstreamError(err, origin);
    if (clientGone) {
      log.debug(
        { upstream: origin, cause: systemCode(err) },
        'client went away before the upstream answered',
      );
      return;
    }
    if (res.headersSent) {
      log.warn(
        { upstream: origin, code: error.code },
        'upstream failed after the response started; closing client connection',
      );
      // Callers destroy the upstream request themselves (timeout) or it already failed.
      res.destroy();
      return;
    }
    log.debug(
      { upstream: origin, code: error.code, cause: systemCode(err) },
      'upstream request failed',
    );
    try {
      onError(error);
    } catch (cbErr) {
      log.error(
        { upstream: origin, cause: systemCode(cbErr) },
        'forward error handler threw; closing client connection',
      );
      res.destroy();
    }
  };

  if (ctx.isClosed()) {
    fail(
      new GatewayError('ERR_UPSTREAM_UNAVAILABLE', 'forwarder is closed', {
        details: { upstream: origin },
      }),
    );
    return;
  }

  let path: string;
  let endpoint;
  try {
    path = joinUpstreamPath(target.upstream, target.target);
    endpoint = ctx.endpoint(target.upstream);
  } catch (err) {
    fail(err);
    return;
  }
  const reqHeaders = req.headers;
  const headers = upstreamHeaderList(
    target.headers,
    reqHeaders['transfer-encoding'],
    reqHeaders['content-length'],
    target.upstream.host,
  );

  let outgoing: ClientRequest;
  try {
    // A flat header list is written as the request head at once (no per-field copy).
    outgoing =
      endpoint.protocol === 'https:'
        ? httpsRequest({
            agent: ctx.httpsAgent,
            host: endpoint.hostname,
            port: endpoint.port,
            servername: endpoint.servername,
            method: req.method ?? 'GET',
            path,
            headers,
          })
        : httpRequest({
            agent: ctx.httpAgent,
            host: endpoint.hostname,
            port: endpoint.port,
            method: req.method ?? 'GET',
            path,
            headers,
          });
  } catch (err) {
    // http.request throws synchronously for header values it cannot write.
    fail(new GatewayError('ERR_INTERNAL', 'cannot build the upstream request', { cause: err }));
    return;
  }
  const timeoutMs = target.timeoutMs ?? ctx.timeoutMs;
  const watched = ctx.wheel.watch(outgoing, timeoutMs, (phase) => {
    fail(upstreamTimeout(origin, phase, phase === 'connect' ? ctx.connectTimeoutMs : timeoutMs));
    outgoing.destroy();
  });

  // 'close' comes after the response finished or when the client connection went away.
  res.once('close', () => {
    ctx.wheel.unwatch(watched);
    if (res.writableFinished) return;
    clientGone = true;
    outgoing.destroy();
  });
  outgoing.on('error', fail);
  outgoing.once('response', (proxyRes: IncomingMessage) => {
    if (done) {
      proxyRes.destroy();
      return;
    }
    try {
      writeResponseHead(res, proxyRes);
    } catch (err) {
      proxyRes.destroy();
      outgoing.destroy();
      fail(
        new GatewayError('ERR_UPSTREAM_UNAVAILABLE', 'upstream sent an invalid response head', {
          cause: err,
          details: { upstream: origin, cause: systemCode(err) ?? 'invalid-head' },
        }),
      );
      return;
    }
    // An incomplete upstream response (reset, timeout) closes the client connection.
    proxyRes.once('close', () => {
      if (proxyRes.complete) {
        done = true;
        return;
      }
      if (done || clientGone) return;
      done = true;
      log.warn(
        { upstream: origin, cause: 'incomplete' },
        'upstream response interrupted; closing client connection',
      );
      res.destroy();
    });
    // A plain pipe: no stream.pipeline (an AbortController per request); failures of either
    // side are handled above.
    proxyRes.pipe(res);
  });

  if (hasBody(req)) req.pipe(outgoing);
  else outgoing.end();
}
