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

/** Adds the nominatable tokens of one `Connection` value to `into` (created on demand). */
function addNominated(value: HeaderValue, into: Set<string> | undefined): Set<string> | undefined {
  let out = into;
  for (const token of connectionTokens(value)) {
    if (!NOT_NOMINATABLE.has(token)) (out ??= new Set()).add(token);
  }
  return out;
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
  options?: StripHopByHopOptions,
): OutgoingHttpHeaders {
  const keep = options?.keep === undefined ? undefined : new Set(options.keep);
  const names = Object.keys(headers);
  let nominated: Set<string> | undefined;
  for (const name of names) {
    if (name.length === 10 && name.toLowerCase() === 'connection')
      nominated = addNominated(headers[name], nominated);
  }
  const out: OutgoingHttpHeaders = {};
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (
      keep?.has(lower) !== true &&
      (HOP_BY_HOP_HEADERS.has(lower) || nominated?.has(lower) === true)
    )
      continue;
    out[name] = value;
  }
  return out;
}

/**
 * Like {@link stripHopByHop}, for a flat `[name, value, name, value, …]` list (Node's
 * `rawHeaders`, the list form `http.request` and `writeHead` accept): returns a new flat list
 * without hop-by-hop fields, in order, repeated fields and spellings kept.
 *
 * @see RFC 9110 §7.6.1
 */
export function stripHopByHopList(raw: readonly string[]): string[] {
  let nominated: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 10 && name.toLowerCase() === 'connection')
      nominated = addNominated(raw[i + 1], nominated);
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || nominated?.has(lower) === true) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

/**
 * The request head sent upstream as a flat `[name, value, …]` list: `headers` minus hop-by-hop
 * fields (see {@link stripHopByHop}), minus `Content-Length`, plus the framing of the body
 * actually streamed (`transferEncoding`, else `contentLength`, both from the incoming request),
 * so the upstream can never read a different message boundary. Array values become repeated
 * fields, numbers are written in decimal, `undefined` values are dropped. `Host: defaultHost`
 * is added when `headers` has no `Host` (HTTP/1.1 requires one, RFC 9112 §3.2).
 */
export function upstreamHeaderList(
  headers: OutgoingHttpHeaders,
  transferEncoding: string | undefined,
  contentLength: string | undefined,
  defaultHost: string,
): string[] {
  const names = Object.keys(headers);
  let nominated: Set<string> | undefined;
  for (const name of names) {
    if (name.length === 10 && name.toLowerCase() === 'connection')
      nominated = addNominated(headers[name], nominated);
  }
  const out: string[] = [];
  let host = false;
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'host') host = true;
    else if (
      lower === 'content-length' ||
      HOP_BY_HOP_HEADERS.has(lower) ||
      nominated?.has(lower) === true
    )
      continue;
    if (typeof value === 'string') out.push(name, value);
    else if (typeof value === 'number') out.push(name, String(value));
    else for (const item of value) out.push(name, item);
  }
  if (!host) out.push('host', defaultHost);
  if (transferEncoding !== undefined) out.push('transfer-encoding', transferEncoding);
  else if (contentLength !== undefined) out.push('content-length', contentLength);
  return out;
}
