import type {
  ClientRequest,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import type { Stream } from 'node:stream';
import { GatewayError } from '../core/index.js';
import {
  proxyOptions,
  takeHeader,
  withOutgoingHead,
  type ForwardContext,
} from './forward-context.js';
import { stripHopByHop } from './hop-by-hop.js';
import { responseHead } from './response-head.js';
import type { ForwardTarget } from './types.js';
import { systemCode, toUpstreamError, upstreamTimeout } from './upstream-error.js';
import { armUpstreamTimers, type UpstreamTimers } from './upstream-timers.js';
import { joinUpstreamPath, upstreamEndpoint } from './upstream-target.js';

/**
 * The request head sent upstream: `target.headers` minus hop-by-hop fields, with the framing
 * (`Content-Length` / `Transfer-Encoding`) of the body actually being streamed, i.e. the
 * incoming request's, so the upstream can never read a different message boundary.
 */
export function upstreamRequestHeaders(
  target: ForwardTarget,
  req: IncomingMessage,
): OutgoingHttpHeaders {
  const headers = stripHopByHop(target.headers);
  takeHeader(headers, 'content-length');
  const transferEncoding = req.headers['transfer-encoding'];
  const contentLength = req.headers['content-length'];
  if (transferEncoding !== undefined) headers['transfer-encoding'] = transferEncoding;
  else if (contentLength !== undefined) headers['content-length'] = contentLength;
  return headers;
}

/**
 * Forwards one HTTP request (see `Forwarder.web`). Streams the request body into the upstream
 * request and the upstream response into `res`, both with back-pressure.
 */
export function forwardWeb(
  ctx: ForwardContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: ForwardTarget,
  onError: (err: Error) => void,
): void {
  const origin = target.upstream.origin;
  const timeoutMs = target.timeoutMs ?? ctx.timeoutMs;
  const log = ctx.logger;
  let done = false;
  let clientGone = false;
  let proxyReq: ClientRequest | undefined;
  let timers: UpstreamTimers | undefined;

  const fail = (err: unknown): void => {
    if (done) return;
    done = true;
    timers?.clear();
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
      res.destroy();
      proxyReq?.destroy();
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
  let options;
  try {
    path = joinUpstreamPath(target.upstream, target.target);
    options = proxyOptions(ctx, upstreamEndpoint(target.upstream));
  } catch (err) {
    fail(err);
    return;
  }
  const headers = upstreamRequestHeaders(target, req);
  // An Expect field makes Node send the head at construction; add it once the path is final.
  const expect = takeHeader(headers, 'expect');

  res.once('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    timers?.clear();
    proxyReq?.destroy();
  });

  const onResponse = (outgoing: ClientRequest, proxyRes: IncomingMessage): void => {
    if (done) {
      proxyRes.destroy();
      return;
    }
    let head;
    try {
      head = responseHead(proxyRes);
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
    for (const [name, value] of Object.entries(head.headers))
      if (value !== undefined) res.setHeader(name, value);
    if (head.statusMessage === undefined) res.writeHead(head.status);
    else res.writeHead(head.status, head.statusMessage);
    // A plain pipe (stream.pipeline costs an AbortController per request); failures of either
    // side are handled explicitly: the client leaving destroys `outgoing` (see 'close' above),
    // an upstream failure mid-body destroys the client connection.
    const interrupted = (err?: Error): void => {
      if (done || clientGone) return;
      done = true;
      timers?.clear();
      log.warn(
        { upstream: origin, cause: systemCode(err) ?? 'incomplete' },
        'upstream response interrupted; closing client connection',
      );
      res.destroy();
    };
    proxyRes.on('error', interrupted);
    proxyRes.once('close', () => {
      if (!proxyRes.complete) interrupted();
    });
    proxyRes.once('end', () => {
      done = true;
      timers?.clear();
    });
    proxyRes.pipe(res);
  };

  // http-proxy pipes `options.buffer` into the outgoing request right after creating it: the one
  // synchronous place to take hold of that request, before any byte of it is written.
  const bodyHook = {
    pipe(outgoing: ClientRequest): ClientRequest {
      proxyReq = outgoing;
      outgoing.path = path;
      if (expect !== undefined) outgoing.setHeader('expect', expect);
      timers = armUpstreamTimers(outgoing, {
        connectTimeoutMs: ctx.connectTimeoutMs,
        timeoutMs,
        onTimeout: (phase) => {
          fail(
            upstreamTimeout(origin, phase, phase === 'connect' ? ctx.connectTimeoutMs : timeoutMs),
          );
          outgoing.destroy();
        },
      });
      outgoing.once('response', (proxyRes: IncomingMessage) => {
        onResponse(outgoing, proxyRes);
      });
      return req.pipe(outgoing);
    },
  };

  try {
    withOutgoingHead(req, headers, path, () => {
      ctx.proxy.web(req, res, { ...options, buffer: bodyHook as unknown as Stream }, (err) => {
        fail(err);
      });
    });
  } catch (err) {
    // http.request throws synchronously for header values it cannot write.
    fail(new GatewayError('ERR_INTERNAL', 'cannot build the upstream request', { cause: err }));
    proxyReq?.destroy();
  }
}
