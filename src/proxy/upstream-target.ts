import { isIP } from 'node:net';
import { GatewayError } from '../core/index.js';

/** Characters Node accepts in a request target (visible ASCII and Latin-1; no space or controls). */
const INVALID_TARGET = /[^\u0021-\u00ff]/;

/**
 * The request target sent upstream: the upstream's base path (without trailing slashes)
 * followed by `target`, byte for byte. No other normalisation happens (no slash collapsing,
 * no re-encoding; the query is untouched). The upstream URL's own query and fragment are ignored.
 *
 * Examples: (`http://u/`, `/a?b`) → `/a?b`; (`http://u/base/`, `/a`) → `/base/a`;
 * (`http://u/base`, `/`) → `/base/`.
 *
 * @throws GatewayError `ERR_REQUEST_TARGET_INVALID` when `target` does not start with `/`
 *   or contains spaces, control characters or characters above U+00FF.
 * @see RFC 9112 §3.2.1 (origin-form)
 */
export function joinUpstreamPath(upstream: URL, target: string): string {
  if (!target.startsWith('/') || INVALID_TARGET.test(target)) {
    throw new GatewayError(
      'ERR_REQUEST_TARGET_INVALID',
      'request target is not a valid origin-form path',
      {
        details: { reason: 'forward-target' },
      },
    );
  }
  const base = upstream.pathname.replace(/\/+$/, '');
  return base + target;
}

/** The connection part of an upstream, in the shape `http.request` and http-proxy expect. */
export interface UpstreamEndpoint {
  readonly protocol: 'http:' | 'https:';
  /** Host name or IP literal without IPv6 brackets. */
  readonly hostname: string;
  readonly port: number;
  /** TLS server name (SNI and certificate check): the host name, or '' for IP literals. */
  readonly servername: string;
}

/**
 * Extracts where to connect for `upstream` (defaults: port 80 for `http:`, 443 for `https:`).
 *
 * @throws GatewayError `ERR_INTERNAL` when the URL's protocol is neither `http:` nor `https:`
 *   (config validation prevents this).
 */
export function upstreamEndpoint(upstream: URL): UpstreamEndpoint {
  const protocol = upstream.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new GatewayError('ERR_INTERNAL', 'upstream must be an http or https URL', {
      details: { protocol },
    });
  }
  const hostname = upstream.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = upstream.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(upstream.port);
  return { protocol, hostname, port, servername: isIP(hostname) === 0 ? hostname : '' };
}
