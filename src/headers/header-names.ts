/**
 * Header-name normalisation shared by the stripping and injection code.
 *
 * Node lower-cases incoming header names but keeps `_`, and many upstream stacks (CGI,
 * PHP, Django/WSGI, some Go and Java servers) map `-` and `_` to the same variable
 * (`HTTP_X_FORWARDED_USER`). A header the gateway owns must therefore be recognised in
 * any letter case and with `_` or `-` in any position.
 */

/**
 * Normal form of a header name: lower case, every `_` replaced by `-`.
 * `X_Forwarded_User` → `x-forwarded-user`.
 */
export function normaliseHeaderName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

/** Default name of the signed identity assertion header. */
export const DEFAULT_ASSERTION_HEADER = 'X-Gatehouse-Assertion';

/** Every header whose normal form starts with this prefix is the gateway's own. */
export const GATEHOUSE_HEADER_PREFIX = 'x-gatehouse-';

/**
 * Headers that rewrite the request target or method in some frameworks (IIS, Symfony,
 * Spring, Rails, Express method-override). Stripped unless a route opts in, because an
 * upstream honouring them would serve a path or method the gateway did not decide on.
 */
export const URL_REWRITE_HEADERS: readonly string[] = Object.freeze([
  'x-original-url',
  'x-rewrite-url',
  'x-forwarded-prefix',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

/**
 * Forwarding headers: always stripped, because only `http/` (after trusted-proxy
 * handling) may tell the upstream the client address, scheme and host; see
 * {@link forwardedHeaders}. `x-real-ip` and `x-forwarded-port` are stripped for the same
 * reason even though the gateway does not set them.
 * @see RFC 7239 (Forwarded)
 */
export const FORWARDING_HEADERS: readonly string[] = Object.freeze([
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
]);

/** RFC 9110 §5.1 `field-name` = token. */
export const HEADER_NAME_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
