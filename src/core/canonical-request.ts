/**
 * A request target after canonicalisation (policy module): exactly what matching
 * decides on and what the upstream receives.
 */
export interface CanonicalRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /** Host, lower case, without trailing dot and without the default port. */
  readonly host: string;
  /** Port the client addressed, if not the default for the scheme. */
  readonly port?: number;
  /** `http` or `https`, as the client used it (after trusted-proxy handling). */
  readonly scheme: 'http' | 'https';
  /** Canonical path: percent-decoded unreserved characters, dot segments resolved, no repeated slashes. */
  readonly path: string;
  /** Raw query string without the leading `?` ('' when absent); passed through unchanged. */
  readonly query: string;
  /** Client address after trusted-proxy handling (IPv4 or IPv6 text form). */
  readonly clientIp: string;
}

/** The path plus query as sent upstream: `path` or `path?query`. */
export function forwardedTarget(req: Pick<CanonicalRequest, 'path' | 'query'>): string {
  return req.query === '' ? req.path : `${req.path}?${req.query}`;
}
