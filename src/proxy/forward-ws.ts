import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../core/index.js';
import {
  proxyOptions,
  takeHeader,
  withOutgoingHead,
  type ForwardContext,
} from './forward-context.js';
import { connectionTokens, stripHopByHop } from './hop-by-hop.js';
import type { ForwardTarget } from './types.js';
import { systemCode, toUpstreamError, upstreamTimeout } from './upstream-error.js';
import { armUpstreamTimers, type UpstreamTimers } from './upstream-timers.js';
import { joinUpstreamPath, upstreamEndpoint } from './upstream-target.js';

/** True for `GET` with `Upgrade: websocket` (RFC 6455 §4.1), the only upgrade Gatehouse forwards. */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.method === 'GET' && connectionTokens(req.headers.upgrade).has('websocket');
}

/**
 * The upgrade request head sent upstream: `target.headers` minus hop-by-hop fields, plus
 * `Connection: Upgrade` and the client's `Upgrade` value; no body framing.
 */
export function upstreamUpgradeHeaders(
  target: ForwardTarget,
  req: IncomingMessage,
): OutgoingHttpHeaders {
  const headers = stripHopByHop(target.headers);
  for (const name of ['content-length', 'expect']) takeHeader(headers, name);
  headers.connection = 'Upgrade';
  headers.upgrade = req.headers.upgrade ?? 'websocket';
  return headers;
}

/** Removes hop-by-hop fields from an upstream answer to an upgrade; `connection` is set anew. */
function sanitizeUpgradeAnswer(proxyRes: IncomingMessage, upgraded: boolean): void {
  const headers = stripHopByHop(proxyRes.headers, upgraded ? { keep: ['upgrade'] } : {});
  headers.connection = upgraded ? 'Upgrade' : 'close';
  proxyRes.headers = headers as IncomingMessage['headers'];
}

/**
 * Forwards one WebSocket upgrade (see `Forwarder.ws`). Before the upstream answers, failures go
 * to `onError` (the caller writes an error response on the raw socket); after the upgrade,
 * either side closing or failing closes the other.
 */
export function forwardWs(
  ctx: ForwardContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: ForwardTarget,
  onError: (err: Error) => void,
): void {
  const origin = target.upstream.origin;
  const timeoutMs = target.timeoutMs ?? ctx.timeoutMs;
  const log = ctx.logger;
  let done = false;
  let clientGone = false;
  let answered = false;
  let proxyReq: ClientRequest | undefined;
  let proxySocket: Socket | undefined;
  let timers: UpstreamTimers | undefined;

  const fail = (err: unknown): void => {
    if (done) return;
    done = true;
    timers?.clear();
    if (clientGone) {
      log.debug(
        { upstream: origin, cause: systemCode(err) },
        'client went away during the WebSocket upgrade',
      );
      proxyReq?.destroy();
      return;
    }
    if (answered) {
      log.debug(
        { upstream: origin, cause: systemCode(err) },
        'WebSocket connection closed with an error',
      );
      socket.destroy();
      proxySocket?.destroy();
      return;
    }
    const error = toUpstreamError(err, origin);
    log.debug(
      { upstream: origin, code: error.code, cause: systemCode(err) },
      'WebSocket upgrade failed',
    );
    try {
      onError(error);
    } catch (cbErr) {
      log.error(
        { upstream: origin, cause: systemCode(cbErr) },
        'forward error handler threw; closing client socket',
      );
      socket.destroy();
    }
  };

  socket.on('error', (err) => {
    log.debug({ upstream: origin, cause: systemCode(err) }, 'client socket error');
  });
  socket.once('close', () => {
    clientGone = true;
    proxySocket?.destroy();
    if (!answered) proxyReq?.destroy();
  });

  if (ctx.isClosed()) {
    fail(
      new GatewayError('ERR_UPSTREAM_UNAVAILABLE', 'forwarder is closed', {
        details: { upstream: origin },
      }),
    );
    return;
  }
  if (!isWebSocketUpgrade(req)) {
    fail(new GatewayError('ERR_REQUEST_TARGET_INVALID', 'only WebSocket upgrades are forwarded'));
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

  const hook = (outgoing: ClientRequest): void => {
    proxyReq = outgoing;
    outgoing.path = path;
    timers = armUpstreamTimers(outgoing, {
      connectTimeoutMs: ctx.connectTimeoutMs,
      timeoutMs,
      onTimeout: (phase) => {
        if (answered) {
          fail(new Error('upstream idle while answering the upgrade'));
        } else {
          fail(
            upstreamTimeout(origin, phase, phase === 'connect' ? ctx.connectTimeoutMs : timeoutMs),
          );
        }
        outgoing.destroy();
      },
    });
    // Registered before http-proxy's own listeners, so these run first.
    outgoing.once('upgrade', (proxyRes: IncomingMessage, upstreamSocket: Socket) => {
      answered = true;
      timers?.clear();
      proxySocket = upstreamSocket;
      sanitizeUpgradeAnswer(proxyRes, true);
      upstreamSocket.once('close', () => {
        socket.destroy();
      });
      if (clientGone) upstreamSocket.destroy();
    });
    outgoing.once('response', (proxyRes: IncomingMessage) => {
      answered = true;
      sanitizeUpgradeAnswer(proxyRes, false);
    });
  };

  const headers = upstreamUpgradeHeaders(target, req);
  ctx.wsHooks.set(req, hook);
  try {
    withOutgoingHead(req, headers, path, () => {
      ctx.proxy.ws(req, socket, head, options, (err) => {
        fail(err);
      });
    });
  } catch (err) {
    fail(
      new GatewayError('ERR_INTERNAL', 'cannot build the upstream upgrade request', { cause: err }),
    );
    proxyReq?.destroy();
  } finally {
    ctx.wsHooks.delete(req);
  }
}
