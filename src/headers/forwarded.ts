import { isIP } from 'node:net';
import { GatewayError } from '../core/index.js';

/** Input of {@link forwardedHeaders}. */
export interface ForwardedInput {
  /** Client address after trusted-proxy handling (IPv4 or IPv6 text form). */
  readonly clientIp: string;
  /** Scheme the client used. */
  readonly proto: 'http' | 'https';
  /** Host the client addressed, as canonicalised (`host` or `host:port`). */
  readonly host: string;
  /**
   * Earlier hops to keep in front of `clientIp`: a comma-separated address list as
   * accepted by `http/` from trusted proxies. Entries that are not IP addresses
   * (`unknown`, obfuscated identifiers, garbage) are left out. Omit to start a fresh chain.
   */
  readonly priorFor?: string;
}

/** The forwarding headers for the upstream request (lower-case names). */
export interface ForwardedHeaders {
  'x-forwarded-for': string;
  'x-forwarded-proto': 'http' | 'https';
  'x-forwarded-host': string;
  forwarded: string;
}

/** RFC 9110 §5.6.2 token. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** A canonical host: ASCII reg-name (IDNs in punycode) or bracketed IPv6, optional port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::\d{1,5})?$/;

/** RFC 7239 §6 node: IPv6 in brackets, and quoted since `[`, `:` are not token chars. */
function node(ip: string): string {
  return isIP(ip) === 6 ? `"[${ip}]"` : ip;
}

/** RFC 7239 §4 value = token / quoted-string. */
function value(v: string): string {
  return TOKEN.test(v) ? v : `"${v.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Builds `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host` and the standard
 * `Forwarded` header from what `http/` established after trusted-proxy handling. The
 * inbound versions of all of them are removed by {@link HeaderShaper.strip}, so these are
 * the only values the upstream sees.
 *
 * `Forwarded` is emitted too: stripping the client's copy and sending a consistent one
 * costs nothing, while leaving it out would let frameworks that prefer it (Spring's
 * ForwardedHeaderFilter, Rails, Go's httputil users) fall back to guessing. It carries one
 * element per hop, `for=` only for the prior hops, `for=…;proto=…;host=…` for the client.
 *
 * @example
 * forwardedHeaders({ clientIp: '2001:db8::1', proto: 'https', host: 'app.example.com' })
 * // forwarded: 'for="[2001:db8::1]";proto=https;host=app.example.com'
 * @throws GatewayError `ERR_INTERNAL` when `clientIp` is not an IP address or `host` has
 *   characters a canonical host cannot have (a caller bug; fail closed).
 * @see RFC 7239 §4–§6 (Forwarded), §7.5 (X-Forwarded-* are de facto)
 */
export function forwardedHeaders(input: ForwardedInput): ForwardedHeaders {
  const { clientIp, proto, host } = input;
  if (isIP(clientIp) === 0) throw new GatewayError('ERR_INTERNAL', 'forwardedHeaders: clientIp is not an IP address');
  if (!HOST.test(host)) throw new GatewayError('ERR_INTERNAL', 'forwardedHeaders: host is not a canonical host');
  const own = `for=${node(clientIp)};proto=${proto};host=${value(host)}`;
  if (input.priorFor === undefined) {
    return { 'x-forwarded-for': clientIp, 'x-forwarded-proto': proto, 'x-forwarded-host': host, forwarded: own };
  }
  const prior = input.priorFor
    .split(',')
    .map((s) => s.trim())
    .filter((s) => isIP(s) !== 0);
  const chain = [...prior, clientIp];
  const elements = [...prior.map((ip) => `for=${node(ip)}`), own];
  return {
    'x-forwarded-for': chain.join(', '),
    'x-forwarded-proto': proto,
    'x-forwarded-host': host,
    forwarded: elements.join(', '),
  };
}
