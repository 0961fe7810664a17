import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, isGatewayError, type Logger } from '../core/index.js';
import { messageBody, sendHtml, sendJson } from './respond.js';
import { isBrowserNavigation } from './negotiation.js';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Sign-in required',
  403: 'Access denied',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Request too large',
  429: 'Too many attempts',
  500: 'Something went wrong',
  502: 'Upstream unavailable',
  503: 'Service unavailable',
  504: 'Upstream timed out',
};

const GENERIC: Readonly<Record<number, string>> = {
  500: 'The gateway could not complete this request.',
  502: 'The application behind the gateway is not reachable right now. Try again in a moment.',
  503: 'The gateway cannot verify access right now. Try again in a moment.',
  504: 'The application behind the gateway did not answer in time.',
};

/** Turns anything thrown into a GatewayError; unknown errors become ERR_INTERNAL (500, not exposed). */
export function toGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('ERR_INTERNAL', 'internal error', { cause: err });
}

/**
 * The single error-to-response mapper (DESIGN.md §Errors): HTML for browsers, JSON otherwise;
 * never leaks internals (messages of errors with `expose: false` are replaced by generic text);
 * logs 5xx at error level with the cause, 4xx at info.
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  ctx: { readonly logger: Logger; readonly requestId: string; readonly headers?: Record<string, string | string[]> },
): void {
  const e = toGatewayError(err);
  const status = e.status;
  const message = e.expose ? e.message : (GENERIC[status] ?? GENERIC[500] ?? 'error');
  if (status >= 500) ctx.logger.error({ err: e.cause ?? e, code: e.code, requestId: ctx.requestId }, e.message);
  else ctx.logger.info({ code: e.code, requestId: ctx.requestId, status }, e.message);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const title = TITLES[status] ?? 'Error';
  if (isBrowserNavigation(req)) {
    sendHtml(res, status, title, messageBody(title, message, undefined, ctx.requestId), ctx.headers);
  } else {
    sendJson(res, status, { error: e.code, message, request_id: ctx.requestId }, ctx.headers);
  }
}
