import ipaddr from 'ipaddr.js';
import { invalidTarget } from './reject.js';

/** A canonical host and the port the client addressed (undefined when the scheme's default). */
export interface CanonicalHost {
  /** Lower-case host name, dotted-quad IPv4, or bracketed RFC 5952 IPv6 (`[::1]`). */
  readonly host: string;
  /** Non-default port, if any. */
  readonly port?: number;
}

/** Default ports per scheme (RFC 9110 §4.2.1, §4.2.2). */
export const DEFAULT_PORTS: Readonly<Record<'http' | 'https', number>> = Object.freeze({
  http: 80,
  https: 443,
});

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/;
const DOTTED_QUAD =
  /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Canonicalises a host name (without port): lower case, one trailing dot removed, LDH labels
 * (plus `_`), at most 253 characters. A name whose last label is numeric must be a strict
 * dotted-quad IPv4 address: forms like `2130706433`, `0x7f.1` or `127.000.0.1`, which the
 * WHATWG URL parser silently turns into IPv4 addresses, are rejected as ambiguous.
 * An IPv6 literal must be bracketed; it is returned bracketed in RFC 5952 form. Zone ids are refused.
 * @throws GatewayError ERR_REQUEST_TARGET_INVALID (400)
 * @see RFC 3986 §3.2.2, RFC 1123 §2.1, RFC 5952 §4
 */
export function canonicalizeHostname(raw: string): string {
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) throw invalidTarget('malformed IPv6 literal in host');
    const inner = raw.slice(1, -1);
    if (!/^[0-9A-Fa-f:.]+$/.test(inner) || !ipaddr.IPv6.isValid(inner)) {
      throw invalidTarget('malformed IPv6 literal in host');
    }
    return `[${ipaddr.IPv6.parse(inner).toRFC5952String()}]`;
  }
  let host = raw.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '' || host.length > 253) throw invalidTarget('empty or over-long host');
  const labels = host.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) throw invalidTarget('host is not a valid host name');
  }
  const last = labels[labels.length - 1] ?? '';
  if (NUMERIC_LABEL.test(last) && !DOTTED_QUAD.test(host)) {
    throw invalidTarget('numeric host is not a dotted-quad IPv4 address');
  }
  return host;
}

/**
 * Canonicalises a `Host` header value or the authority of an absolute-form target:
 * `host[:port]`. Removes the scheme's default port; rejects userinfo, empty ports,
 * port 0 and ports above 65535.
 * @throws GatewayError ERR_REQUEST_TARGET_INVALID (400)
 * @see RFC 9110 §7.2, RFC 3986 §3.2
 */
export function canonicalizeAuthority(
  raw: string | undefined,
  scheme: 'http' | 'https',
): CanonicalHost {
  if (raw === undefined || raw === '') throw invalidTarget('missing Host');
  if (raw.includes('@')) throw invalidTarget('userinfo is not allowed in the authority');
  let hostPart = raw;
  let portText: string | undefined;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0) throw invalidTarget('malformed IPv6 literal in host');
    hostPart = raw.slice(0, close + 1);
    const rest = raw.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw invalidTarget('garbage after IPv6 literal in host');
      portText = rest.slice(1);
    }
  } else {
    const colon = raw.indexOf(':');
    if (colon >= 0) {
      hostPart = raw.slice(0, colon);
      portText = raw.slice(colon + 1);
    }
  }
  const host = canonicalizeHostname(hostPart);
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText)) throw invalidTarget('invalid port in host');
  const port = Number(portText);
  if (port === 0 || port > 65535) throw invalidTarget('port out of range in host');
  return port === DEFAULT_PORTS[scheme] ? { host } : { host, port };
}
