import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Header fields that describe one connection only and are never forwarded
 * (lower case). `http2-settings` is included for RFC 9113 §3.2.1.
 *
 * @see RFC 9110 §7.6.1 (Connection), RFC 9112 §9.6 / §6.1 (Keep-Alive, Transfer-Encoding)
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
]);

/**
 * Header fields a `Connection` header may not remove, even when it names them: removing them
 * would change the message's target or framing, or drop what the gateway itself asserts about
 * the client (a client sending `Connection: X-Forwarded-For` must not erase the gateway's value).
 */
const NOT_NOMINATABLE: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-real-ip',
]);

/** Options for {@link stripHopByHop}. */
export interface StripHopByHopOptions {
  /**
   * Lower-case names to keep although they are hop-by-hop (used for WebSocket upgrades,
   * which need `connection` and `upgrade`). Default: none.
   */
  readonly keep?: Iterable<string>;
}

type HeaderValue = OutgoingHttpHeaders[string];

/** The lower-case field names listed in one or more `Connection` header values. */
export function connectionTokens(value: HeaderValue | IncomingHttpHeaders[string]): Set<string> {
  const tokens = new Set<string>();
  if (value === undefined || typeof value === 'number') return tokens;
  for (const line of Array.isArray(value) ? value : [value]) {
    for (const token of line.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') tokens.add(name);
    }
  }
  return tokens;
}

/**
 * Returns a copy of `headers` without hop-by-hop fields: the fixed set
 * {@link HOP_BY_HOP_HEADERS} and every field named in a `Connection` header (except `Host`,
 * `Content-Length` and the forwarding headers, which a `Connection` header may not remove).
 * Field-name comparison is case-insensitive; the remaining names keep their spelling and
 * `undefined` values are dropped. The input is not modified.
 *
 * @see RFC 9110 §7.6.1
 */
export function stripHopByHop(
  headers: OutgoingHttpHeaders | IncomingHttpHeaders,
  options: StripHopByHopOptions = {},
): OutgoingHttpHeaders {
  const keep = new Set(options.keep ?? []);
  const nominated = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'connection') {
      for (const token of connectionTokens(value))
        if (!NOT_NOMINATABLE.has(token)) nominated.add(token);
    }
  }
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (keep.has(lower)) {
      out[name] = value;
      continue;
    }
    if (HOP_BY_HOP_HEADERS.has(lower) || nominated.has(lower)) continue;
    out[name] = value;
  }
  return out;
}
