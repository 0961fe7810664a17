import type { ServerResponse } from 'node:http';
import { sendHtml } from '../respond.js';

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
  sendHtml(res, status, title, bodyHtml, { 'referrer-policy': 'same-origin', ...headers });
}
