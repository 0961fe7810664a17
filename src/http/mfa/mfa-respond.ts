import type { ServerResponse } from 'node:http';
import { sendHtml } from '../respond.js';
import type { GatewayRuntime } from '../runtime.js';

/** `Content-Security-Policy` of MFA pages, per response (set by {@link withMfaPageCsp}). */
const pageCsp = new WeakMap<ServerResponse, string>();

/**
 * Registers the CSP for the MFA page answered on `res`: `form-action` also allows the origins
 * the user may be sent to after the form (Chromium applies `form-action` to the redirect that
 * follows a form post), i.e. the redirect scope's origins.
 */
export function withMfaPageCsp(res: ServerResponse, rt: GatewayRuntime): void {
  pageCsp.set(
    res,
    `default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' ${rt.redirectScope.cspSources}; frame-ancestors 'none'`,
  );
}

/**
 * Sends an MFA page: the gateway's page headers plus `Referrer-Policy: same-origin`, so the
 * browser sends a real `Origin` with the page's form posts (under `no-referrer` it sends
 * `Origin: null`), which `checkCsrf` verifies in addition to the token.
 */
export function sendMfaHtml(
  res: ServerResponse,
  status: number,
  title: string,
  bodyHtml: string,
  headers: Record<string, string | string[]> = {},
): void {
  const csp = pageCsp.get(res);
  sendHtml(res, status, title, bodyHtml, {
    'referrer-policy': 'same-origin',
    ...(csp === undefined ? {} : { 'content-security-policy': csp }),
    ...headers,
  });
}
