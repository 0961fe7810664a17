/** What a redirect target is checked against. Build it with {@link createRedirectScope}. */
export interface RedirectScope {
  /** The gateway's public base URL (relative targets resolve against it). */
  readonly publicUrl: URL;
  /** True when a redirect to this URL's origin (scheme, host, port) is allowed. */
  allowsOrigin(url: URL): boolean;
  /** The same origins as CSP source expressions (CSP Level 3 §2.3.1), e.g. for `form-action`. */
  readonly cspSources: string;
}

/**
 * Builds the redirect scope: the public URL's origin, plus the hosts routes name explicitly
 * (exact, or `*.example.com` for its subdomains) with the public URL's scheme and port (or the
 * scheme's default port). Catch-all routes (`*` or no host) never make an arbitrary host a
 * valid redirect target.
 */
export function createRedirectScope(publicUrl: URL, routeHosts: readonly string[]): RedirectScope {
  const exact = new Set<string>([publicUrl.hostname.toLowerCase()]);
  const suffixes: string[] = [];
  for (const pattern of routeHosts) {
    const p = pattern.toLowerCase();
    if (p === '*' || p === '') continue;
    if (p.startsWith('*.')) suffixes.push(p.slice(1));
    else exact.add(p);
  }
  const ownHost = publicUrl.hostname.toLowerCase();
  const port = publicUrl.port === '' ? '' : `:${publicUrl.port}`;
  const cspSources = [
    publicUrl.origin,
    ...[...exact].filter((h) => h !== ownHost).map((h) => `${publicUrl.protocol}//${h}${port}`),
    ...suffixes.map((s) => `${publicUrl.protocol}//*${s}${port}`),
  ].join(' ');
  return {
    publicUrl,
    cspSources,
    allowsOrigin: (url) => {
      const host = url.hostname.toLowerCase().replace(/\.$/, '');
      if (host === ownHost) return url.origin === publicUrl.origin;
      if (url.protocol !== publicUrl.protocol || (url.port !== '' && url.port !== publicUrl.port)) return false;
      return exact.has(host) || suffixes.some((s) => host.endsWith(s) && host.length > s.length);
    },
  };
}

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const UNSAFE_CHARS = /[\\\u0000-\u001f\u007f\s]/;

function decodeRepeatedly(value: string): string | undefined {
  let current = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/**
 * The one function that validates where a user may be sent after login, MFA or logout
 * (DESIGN.md security invariant 4; open-redirect defence per RFC 9700 §4.11).
 * Accepts absolute `http(s)` URLs on a host the gateway serves (or the public URL's host),
 * and relative paths starting with a single `/`. Anything else — other hosts, scheme-relative
 * `//evil`, `/\evil`, `javascript:`, backslashes, control characters, and the same tricks
 * percent-encoded — yields `'/'`.
 * @returns an absolute URL string, or `'/'` when the target is missing or unsafe.
 */
export function safeRedirectTarget(raw: string | undefined | null, scope: RedirectScope): string {
  if (raw === undefined || raw === null || raw === '' || raw.length > 4096) return '/';
  const decoded = decodeRepeatedly(raw);
  if (decoded === undefined) return '/';
  for (const candidate of [raw, decoded]) {
    if (UNSAFE_CHARS.test(candidate)) return '/';
    if (candidate.startsWith('//') || candidate.startsWith('/\\')) return '/';
    const isRelative = candidate.startsWith('/');
    if (!isRelative && !/^https?:\/\//i.test(candidate)) return '/';
  }
  let url: URL;
  try {
    url = new URL(raw, scope.publicUrl);
  } catch {
    return '/';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return '/';
  if (url.username !== '' || url.password !== '') return '/';
  if (!scope.allowsOrigin(url)) return '/';
  return url.href;
}
