import type { IncomingHttpHeaders } from 'node:http';
import type { IdentityHeadersConfig } from '../config/index.js';
import { GatewayError, type Identity } from '../core/index.js';
import { stripGatewayCookies } from './cookie-strip.js';
import {
  DEFAULT_ASSERTION_HEADER,
  FORWARDING_HEADERS,
  GATEHOUSE_HEADER_PREFIX,
  HEADER_NAME_PATTERN,
  URL_REWRITE_HEADERS,
  normaliseHeaderName,
} from './header-names.js';
import { headerList, headerValue } from './header-value.js';
import type { HeaderShaper } from './types.js';

/** Options of {@link createHeaderShaper}. */
export interface HeaderShaperOptions {
  /** Names of the four identity headers (config `identity_headers`). */
  readonly identityHeaders: IdentityHeadersConfig;
  /** Name of the signed assertion header. Default `X-Gatehouse-Assertion`. */
  readonly assertionHeader?: string;
  /**
   * More inbound headers to strip on every route, e.g. the names of the header templates
   * ({@link CompiledHeaderTemplates.names}). Matched like the others (case, `_`/`-`).
   */
  readonly extraStripped?: readonly string[];
  /** Names of the gateway's own cookies (session, …), removed from `Cookie`. */
  readonly gatewayCookieNames: readonly string[];
  /**
   * Name prefixes of the gateway's own cookies (e.g. the per-login state cookies
   * `<cookie_name>_flow_<hash>`), removed from `Cookie`. Matched case-insensitively.
   */
  readonly gatewayCookiePrefixes?: readonly string[];
}

/** An identity's header values, computed once per Identity object (normalised name, wire value). */
type Prepared = readonly (readonly [name: string, value: string])[];

function checkName(name: string, what: string): string {
  if (!HEADER_NAME_PATTERN.test(name)) {
    throw new GatewayError('ERR_CONFIG_INVALID', `${what} "${name}" is not a valid header name (RFC 9110 §5.1)`);
  }
  return normaliseHeaderName(name);
}

/**
 * Compiles the header rules once (at config load): the set of inbound header names the
 * gateway owns, in normal form (lower case, `_` → `-`), and the identity header names.
 *
 * `strip` removes, in any letter case and with `_` or `-`:
 * the four identity headers, the assertion header, every `X-Gatehouse-*` header,
 * `extraStripped`, the forwarding headers (`Forwarded`, `X-Forwarded-For/-Proto/-Host/-Port`,
 * `X-Real-IP`: only `http/` sets them, see {@link forwardedHeaders}), the URL-rewrite
 * headers unless `allowRewriteHeaders`, and the gateway's cookies from `Cookie` (other
 * cookies kept byte for byte; the header is dropped when nothing remains).
 *
 * `inject` first deletes any header with the same normal name as an identity header (so
 * no client value survives even if `strip` was skipped), then sets, under the lower-cased
 * configured names: user (`identity.user`), email, preferred username, and groups
 * (comma-joined). Values follow the policy of `header-value.ts`: values with control
 * characters or leading/trailing space are not sent, non-ASCII is sent as UTF-8 octets,
 * groups containing a comma are left out. An absent or dropped value means the header is
 * absent. Values are cached per Identity object (WeakMap), so repeated requests of one
 * session do no string work beyond copying.
 *
 * @throws GatewayError `ERR_CONFIG_INVALID` when a configured name is not a header name.
 * @see RFC 9110 §5.1 (field names are case-insensitive)
 */
export function createHeaderShaper(options: HeaderShaperOptions): HeaderShaper {
  const ids = options.identityHeaders;
  const identityNames = {
    user: checkName(ids.user, 'identity_headers.user'),
    email: checkName(ids.email, 'identity_headers.email'),
    preferredUsername: checkName(ids.preferred_username, 'identity_headers.preferred_username'),
    groups: checkName(ids.groups, 'identity_headers.groups'),
  } as const;
  const identitySet = new Set(Object.values(identityNames));

  const always = new Set<string>([
    ...identitySet,
    checkName(options.assertionHeader ?? DEFAULT_ASSERTION_HEADER, 'assertion header'),
    ...(options.extraStripped ?? []).map((n) => checkName(n, 'stripped header')),
    ...FORWARDING_HEADERS,
  ]);
  const rewrite = new Set(URL_REWRITE_HEADERS);
  const cookieNameSet = new Set(options.gatewayCookieNames.map((n) => n.toLowerCase()));
  const cookiePrefixes = (options.gatewayCookiePrefixes ?? []).map((p) => p.toLowerCase());
  const cookieNames = (lower: string): boolean =>
    cookieNameSet.has(lower) || cookiePrefixes.some((p) => lower.startsWith(p));

  const isOurs = (normal: string): boolean => always.has(normal) || normal.startsWith(GATEHOUSE_HEADER_PREFIX);

  const prepared = new WeakMap<Identity, Prepared>();
  const prepare = (identity: Identity): Prepared => {
    let values = prepared.get(identity);
    if (values === undefined) {
      const out: (readonly [string, string])[] = [];
      const add = (name: string, raw: string | undefined): void => {
        if (raw === undefined || raw === '') return;
        const v = headerValue(raw);
        if (v !== undefined && v !== '') out.push([name, v]);
      };
      add(identityNames.user, identity.user);
      add(identityNames.email, identity.email);
      add(identityNames.preferredUsername, identity.preferredUsername);
      add(identityNames.groups, headerList(identity.groups));
      values = Object.freeze(out);
      prepared.set(identity, values);
    }
    return values;
  };

  return {
    strip(headers, { allowRewriteHeaders }) {
      const out: IncomingHttpHeaders = {};
      for (const name of Object.keys(headers)) {
        const value = headers[name];
        if (value === undefined) continue;
        const normal = normaliseHeaderName(name);
        if (isOurs(normal)) continue;
        if (!allowRewriteHeaders && rewrite.has(normal)) continue;
        if (normal === 'cookie') {
          const joined = Array.isArray(value) ? value.join('; ') : value;
          const rest = stripGatewayCookies(joined, cookieNames);
          if (rest !== undefined) out.cookie = rest;
          continue;
        }
        if (name === '__proto__') {
          // A client may send a header literally named `__proto__`: keep it as data.
          Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
        } else out[name] = value;
      }
      return out;
    },

    inject(headers, identity) {
      for (const name of Object.keys(headers)) {
        if (identitySet.has(normaliseHeaderName(name))) Reflect.deleteProperty(headers, name);
      }
      for (const [name, value] of prepare(identity)) headers[name] = value;
      return headers;
    },
  };
}
