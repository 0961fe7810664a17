import { GatewayError, type CanonicalRequest } from '../core/index.js';
import { canonicalizeAuthority } from './canonical/host.js';
import { canonicalizePath, checkQuery } from './canonical/path.js';
import { invalidTarget } from './canonical/reject.js';
import type { RawRequestTarget } from './types.js';

/** Options of {@link canonicalize}. */
export interface CanonicalizeOptions {
  /** True when a route serves this canonical host name (no port); see `RouteTable.servesHost`. */
  servesHost(host: string): boolean;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Z-]+$/;
const ABSOLUTE = /^(https?):\/\//i;

/**
 * Turns the raw request target into the canonical request Gatehouse decides on and forwards.
 *
 * - method: upper-cased; must be a token; `CONNECT` is refused (Gatehouse is not a tunnel).
 * - target: origin-form (`/path?query`) or absolute-form (`http://host/path?query`, whose
 *   scheme must be the connection's and whose host must be served, and which then replaces the
 *   `Host` header as RFC 9112 §3.2.2 requires). Asterisk-form (`*`) and authority-form are refused.
 * - host: see `canonicalizeAuthority` (lower case, no trailing dot, no default port, bracketed IPv6).
 * - path: see `canonicalizePath`; query: verbatim (see `checkQuery`).
 *
 * @throws GatewayError ERR_REQUEST_TARGET_INVALID (400) for anything malformed or ambiguous,
 *   ERR_REQUEST_HOST_UNKNOWN (400) for an absolute-form target whose host no route serves.
 * @see RFC 9112 §3.2, RFC 9110 §7.2, RFC 3986 §6.2.2
 */
export function canonicalize(raw: RawRequestTarget, opts: CanonicalizeOptions): CanonicalRequest {
  const method = raw.method.toUpperCase();
  if (!TOKEN.test(method)) throw invalidTarget('invalid method');
  if (method === 'CONNECT') throw invalidTarget('CONNECT is not supported');

  const target = raw.target;
  const absolute = !target.startsWith('/');
  let authority = raw.host;
  let rest: string;
  if (!absolute) {
    rest = target;
  } else {
    const abs = ABSOLUTE.exec(target);
    if (abs === null) {
      throw invalidTarget(
        target === '*'
          ? 'asterisk-form is not supported'
          : 'target must be origin-form or absolute-form',
      );
    }
    if ((abs[1] ?? '').toLowerCase() !== raw.scheme)
      throw invalidTarget('absolute-form scheme differs from the connection');
    const afterScheme = target.slice(abs[0].length);
    const end = afterScheme.search(/[/?#\\]/);
    authority = end < 0 ? afterScheme : afterScheme.slice(0, end);
    rest = end < 0 ? '' : afterScheme.slice(end);
    if (authority === '') throw invalidTarget('absolute-form target without host');
  }

  const { host, port } = canonicalizeAuthority(authority, raw.scheme);
  if (absolute && !opts.servesHost(host)) {
    throw new GatewayError(
      'ERR_REQUEST_HOST_UNKNOWN',
      'the request target names a host this gateway does not serve',
    );
  }

  const q = rest.indexOf('?');
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : checkQuery(rest.slice(q + 1));
  const path = canonicalizePath(rawPath === '' && absolute ? '/' : rawPath);

  const base = { method, host, scheme: raw.scheme, path, query, clientIp: raw.clientIp };
  return port === undefined ? base : { ...base, port };
}
