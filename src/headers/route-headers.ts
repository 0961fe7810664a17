import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, type Identity } from '../core/index.js';
import { stripGatewayCookies } from './cookie-strip.js';
import { HEADER_NAME_PATTERN, normaliseHeaderName } from './header-names.js';
import { checkSettableHeader, compileHeaderTemplates, compileTextTemplate } from './header-templates.js';
import { headerValue, isSafeHeaderValue } from './header-value.js';

/** A route's header rules for legacy apps (route keys in the policy files). */
export interface RouteHeaderRules {
  /** `headers`: templates from claims, e.g. `{ "X-Remote-User": "{{ preferred_username }}" }`. */
  readonly templates?: Readonly<Record<string, string>>;
  /** `basic_auth`: `Authorization: Basic` with the user from a template and a fixed password. */
  readonly basicAuth?: { readonly user: string; readonly password: string };
  /** `pass_access_token` / `pass_id_token`: which token to send as `Authorization: Bearer`. */
  readonly passToken?: 'access_token' | 'id_token';
  /** `set_headers`: fixed request headers (literal values). */
  readonly setHeaders?: Readonly<Record<string, string>>;
  /** `remove_headers`: request headers to remove. */
  readonly removeHeaders?: readonly string[];
  /** `strip_cookies`: cookies to remove from `Cookie` by name (case-insensitive). */
  readonly stripCookies?: readonly string[];
}

/** The caller's OIDC tokens, for `passToken`. */
export interface RouteTokens {
  readonly accessToken?: string | undefined;
  readonly idToken?: string | undefined;
}

/** A route's header rules, compiled at load. */
export interface CompiledRouteHeaders {
  /** Names of the template headers (strip them from clients on every route: they are the gateway's). */
  readonly templateNames: readonly string[];
  /** True when the route sets `Authorization` itself (Basic or a passed token): the client's is removed. */
  readonly setsAuthorization: boolean;
  /**
   * The headers the route adds, as `[lower-case name, wire value]`: templates (with an
   * identity), `set_headers`, then `Authorization` (with an identity, when available).
   * Used for the upstream request and for forward-auth answers alike.
   */
  added(identity: Identity | undefined, tokens: RouteTokens): [name: string, value: string][];
  /**
   * Removes from an upstream request's headers (mutates and returns them): `remove_headers`,
   * the `strip_cookies` cookies, and any header with the normal name of a header the route
   * sets (and `Authorization` when it sets one).
   */
  prepare(headers: IncomingHttpHeaders): IncomingHttpHeaders;
  /** {@link prepare}, then sets the {@link added} headers. Mutates and returns `headers`. */
  apply(headers: IncomingHttpHeaders, identity: Identity | undefined, tokens: RouteTokens): IncomingHttpHeaders;
}

function invalid(message: string): never {
  throw new GatewayError('ERR_CONFIG_INVALID', message);
}

/**
 * Compiles a route's header rules. Template syntax as {@link compileHeaderTemplates}: a
 * missing claim renders as '' (the header is sent empty, never with the template text).
 * `Authorization: Basic` is `base64(utf8(user ":" password))` (RFC 7617 §2, charset UTF-8);
 * it is left out when the rendered user is empty, contains `:` or is unsafe. A passed token
 * is sent only when the caller has one.
 * @throws GatewayError `ERR_CONFIG_INVALID` (message naming the key) for invalid template
 *   syntax or header names, framing or gateway headers (`Host`, `Cookie`, `X-Gatehouse-*`…),
 *   `set_headers` values with control characters, a cookie name that is not a token, or
 *   `Authorization` in `headers`/`set_headers` together with `basic_auth` or a passed token.
 * @see RFC 7617 (Basic), RFC 6750 §2.1 (Bearer)
 */
export function compileRouteHeaders(rules: RouteHeaderRules): CompiledRouteHeaders {
  const templates = compileHeaderTemplates(rules.templates ?? {});
  const setsAuthorization = rules.basicAuth !== undefined || rules.passToken !== undefined;
  const set: [string, string][] = [];
  const ownNames = new Set(templates.names.map(normaliseHeaderName));
  for (const [name, value] of Object.entries(rules.setHeaders ?? {})) {
    const normal = checkSettableHeader(name, 'set_headers');
    if (ownNames.has(normal)) invalid(`set_headers "${name}": also set by headers`);
    const wire = headerValue(value);
    if (wire === undefined || !isSafeHeaderValue(value)) invalid(`set_headers "${name}": value has control characters or surrounding spaces`);
    ownNames.add(normal);
    set.push([name.toLowerCase(), wire]);
  }
  if (setsAuthorization && ownNames.has('authorization')) {
    invalid('Authorization is set by basic_auth / pass_access_token / pass_id_token; remove it from headers and set_headers');
  }
  if (setsAuthorization) ownNames.add('authorization');
  const removed = new Set(
    (rules.removeHeaders ?? []).map((n) => {
      if (!HEADER_NAME_PATTERN.test(n)) invalid(`remove_headers "${n}": not a valid header name`);
      return normaliseHeaderName(n);
    }),
  );
  const cookies = new Set(
    (rules.stripCookies ?? []).map((n) => {
      if (!HEADER_NAME_PATTERN.test(n)) invalid(`strip_cookies "${n}": not a valid cookie name`);
      return n.toLowerCase();
    }),
  );
  const basicUser = rules.basicAuth === undefined ? undefined : compileTextTemplate('basic_auth.user', rules.basicAuth.user);
  const basicPassword = rules.basicAuth?.password;

  const authorization = (identity: Identity, tokens: RouteTokens): string | undefined => {
    if (basicUser !== undefined && basicPassword !== undefined) {
      const user = basicUser(identity);
      if (user === '' || user.includes(':') || !isSafeHeaderValue(user)) return undefined;
      return `Basic ${Buffer.from(`${user}:${basicPassword}`, 'utf8').toString('base64')}`;
    }
    const token = rules.passToken === 'access_token' ? tokens.accessToken : rules.passToken === 'id_token' ? tokens.idToken : undefined;
    if (token === undefined || token === '') return undefined;
    const wire = headerValue(token);
    return wire === undefined || /\s/.test(wire) ? undefined : `Bearer ${wire}`;
  };

  const added = (identity: Identity | undefined, tokens: RouteTokens): [string, string][] => {
    const out: [string, string][] = identity === undefined ? [] : templates.render(identity);
    for (const pair of set) out.push([pair[0], pair[1]]);
    if (identity !== undefined && setsAuthorization) {
      const value = authorization(identity, tokens);
      if (value !== undefined) out.push(['authorization', value]);
    }
    return out;
  };

  const prepare = (headers: IncomingHttpHeaders): IncomingHttpHeaders => {
    for (const key of Object.keys(headers)) {
      const normal = normaliseHeaderName(key);
      if (removed.has(normal) || ownNames.has(normal)) Reflect.deleteProperty(headers, key);
    }
    if (cookies.size > 0 && typeof headers.cookie === 'string') {
      const rest = stripGatewayCookies(headers.cookie, cookies);
      if (rest === undefined) delete headers.cookie;
      else headers.cookie = rest;
    }
    return headers;
  };

  return {
    templateNames: templates.names,
    setsAuthorization,
    added,
    prepare,
    apply(headers, identity, tokens) {
      prepare(headers);
      for (const [name, value] of added(identity, tokens)) headers[name] = value;
      return headers;
    },
  };
}
