import { parseCookie, stringifySetCookie, type SerializeOptions } from 'cookie';
import { GatewayError } from '../core/index.js';
import { isWellFormedSessionId } from './session-id.js';

/** Options of {@link createSessionCookieCodec}. */
export interface SessionCookieOptions {
  /**
   * Cookie name from config (`session.cookie_name`), without a `__Host-` / `__Secure-` prefix:
   * the codec adds `__Host-` itself when it applies.
   */
  readonly name: string;
  /** `Domain` attribute (`session.cookie_domain`, e.g. `.example.com`); unset: a host-only cookie. */
  readonly domain?: string;
  /** Whether to send `Secure`: true when the gateway's public URL is https (see {@link isHttpsUrl}). */
  readonly secure: boolean;
  /** `SameSite` attribute; default `lax` (the session must survive the IdP's redirect back). */
  readonly sameSite?: 'lax' | 'strict';
}

/** Reads and writes the session-id cookie. */
export interface SessionCookieCodec {
  /** The cookie name as sent to browsers (with the `__Host-` prefix when applied). */
  readonly name: string;
  /**
   * The session id in a `Cookie` request header, or `undefined` when absent or not shaped like
   * a session id. Never throws on malformed headers. When the cookie appears more than once the
   * first occurrence wins (RFC 6265 §5.4 orders longer paths first).
   */
  read(cookieHeader: string | undefined): string | undefined;
  /**
   * A `Set-Cookie` value carrying `id`: `HttpOnly; SameSite=Lax; Path=/`, plus `Secure` when
   * https and `Domain` when configured. `maxAgeSeconds` (whole seconds) sets `Max-Age`;
   * omitted, the cookie lasts for the browser session.
   * @throws GatewayError `ERR_INTERNAL` when `id` is not a session id from `generateSessionId`.
   */
  serialize(id: string, maxAgeSeconds?: number): string;
  /** A `Set-Cookie` value that deletes the cookie (empty value, `Max-Age=0`, `Expires` in 1970). */
  clear(): string;
}

/** True when `url` is an https URL (the cookie then gets `Secure`). */
export function isHttpsUrl(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === 'https:';
}

const keepRaw = (value: string): string => value;

/**
 * Builds the session cookie codec. With https and no cookie domain the name gets the
 * `__Host-` prefix, which browsers only accept with `Secure`, `Path=/` and no `Domain`, so no
 * other host (e.g. a sibling subdomain) can set or shadow the session cookie.
 * @see RFC 6265 §4.1 (Set-Cookie), draft-ietf-httpbis-rfc6265bis §4.1.3.2 (`__Host-`)
 * @throws GatewayError `ERR_CONFIG_INVALID` when `name` already carries a `__Host-` or `__Secure-` prefix.
 */
export function createSessionCookieCodec(options: SessionCookieOptions): SessionCookieCodec {
  if (/^__(host|secure)-/i.test(options.name)) {
    throw new GatewayError(
      'ERR_CONFIG_INVALID',
      `session cookie name ${JSON.stringify(options.name)} must not carry a __Host-/__Secure- prefix; Gatehouse adds __Host- itself when the public URL is https and no cookie domain is set`,
    );
  }
  const hostPrefixed = options.secure && options.domain === undefined;
  const name = hostPrefixed ? `__Host-${options.name}` : options.name;
  const attributes: SerializeOptions = {
    httpOnly: true,
    secure: options.secure,
    sameSite: options.sameSite ?? 'lax',
    path: '/',
    ...(hostPrefixed || options.domain === undefined ? {} : { domain: options.domain }),
  };

  return {
    name,
    read(cookieHeader) {
      if (typeof cookieHeader !== 'string' || cookieHeader === '') return undefined;
      try {
        const value = parseCookie(cookieHeader, { decode: keepRaw })[name];
        return value !== undefined && isWellFormedSessionId(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    serialize(id, maxAgeSeconds) {
      if (!isWellFormedSessionId(id)) {
        throw new GatewayError(
          'ERR_INTERNAL',
          'refusing to put a malformed session id in a cookie',
        );
      }
      return stringifySetCookie(name, id, {
        ...attributes,
        ...(maxAgeSeconds === undefined ? {} : { maxAge: Math.max(0, Math.floor(maxAgeSeconds)) }),
      });
    },
    clear() {
      return stringifySetCookie(name, '', { ...attributes, maxAge: 0, expires: new Date(0) });
    },
  };
}
