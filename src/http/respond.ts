import type { ServerResponse } from 'node:http';
import { page, escapeHtml } from './html.js';

/** Security headers on every page the gateway itself renders. */
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
} as const;

/** Sends a JSON body with `status`. Extra headers are merged. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends an HTML page the gateway renders (already escaped `bodyHtml`). */
export function sendHtml(
  res: ServerResponse,
  status: number,
  title: string,
  bodyHtml: string,
  headers: Record<string, string | string[]> = {},
): void {
  const text = page(title, bodyHtml);
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends a redirect (302 by default) to `location`. */
export function sendRedirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string | string[]> = {},
  status = 302,
): void {
  res.writeHead(status, { 'cache-control': 'no-store', location, 'content-length': 0, ...headers });
  res.end();
}

/** A short message page: heading, text and an optional link. All inputs are plain text. */
export function messageBody(heading: string, text: string, link?: { href: string; label: string }, requestId?: string): string {
  const a = link ? `<p><a class="button" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  const rid = requestId ? `<p class="muted">Request id: <code>${escapeHtml(requestId)}</code></p>` : '';
  return `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p>${a}${rid}`;
}
