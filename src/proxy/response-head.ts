import {
  validateHeaderName,
  validateHeaderValue,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { stripHopByHop } from './hop-by-hop.js';

/** The head of an upstream response as it will be sent to the client. */
export interface ResponseHead {
  readonly status: number;
  /** The upstream's reason phrase, when it is safe to repeat. */
  readonly statusMessage: string | undefined;
  readonly headers: OutgoingHttpHeaders;
}

const SAFE_REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Builds the response head for the client from an upstream response: every field from
 * `rawHeaders` (repeated fields kept as arrays, first spelling of the name kept) minus
 * hop-by-hop fields (RFC 9110 §7.6.1). Framing (`Transfer-Encoding`) is redone by the
 * gateway's own server.
 *
 * @throws TypeError (Node `ERR_INVALID_HTTP_TOKEN` / `ERR_INVALID_CHAR`) when a name or value
 *   cannot be written; callers treat that as an invalid upstream response.
 */
export function responseHead(proxyRes: IncomingMessage): ResponseHead {
  const grouped: Record<string, string[]> = {};
  const spelling = new Map<string, string>();
  const raw = proxyRes.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const value = raw[i + 1] ?? '';
    const lower = name.toLowerCase();
    const key = spelling.get(lower) ?? name;
    spelling.set(lower, key);
    (grouped[key] ??= []).push(value);
  }
  const merged: OutgoingHttpHeaders = {};
  for (const [name, values] of Object.entries(grouped))
    merged[name] = values.length === 1 ? (values[0] ?? '') : values;
  const headers = stripHopByHop(merged);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    validateHeaderName(name);
    for (const item of Array.isArray(value) ? value : [String(value)])
      validateHeaderValue(name, item);
  }
  const reason = proxyRes.statusMessage;
  return {
    status: proxyRes.statusCode ?? 502,
    statusMessage: reason !== undefined && SAFE_REASON.test(reason) ? reason : undefined,
    headers,
  };
}
