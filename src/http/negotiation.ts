import type { IncomingMessage } from 'node:http';

/**
 * True when the request comes from a browser navigating (gets redirects and HTML pages);
 * false for API clients and XHR (get 401/JSON). A browser sends `Accept` with `text/html`;
 * XHR marked `X-Requested-With: XMLHttpRequest`, or `Sec-Fetch-Mode` other than `navigate`
 * when present, are treated as API calls.
 */
export function isBrowserNavigation(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('text/html')) return false;
  if (String(req.headers['x-requested-with'] ?? '').toLowerCase() === 'xmlhttprequest') return false;
  const mode = req.headers['sec-fetch-mode'];
  if (typeof mode === 'string' && mode !== 'navigate' && mode !== 'nested-navigate') return false;
  return true;
}
