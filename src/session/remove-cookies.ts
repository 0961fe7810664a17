import { parseCookie } from 'cookie';

const keepRaw = (value: string): string => value;

/**
 * Removes the named cookies from a `Cookie` request header, keeping every other cookie
 * byte-for-byte and in order (for stripping the gateway's own cookies before forwarding).
 * Names match case-insensitively, so no variant of a gateway cookie reaches the upstream.
 * Each `;`-separated pair is recognised with the `cookie` package, exactly as the session
 * cookie codec reads it, so whatever the gateway could read as its cookie is removed.
 * @param cookieHeader the `Cookie` header value (Node joins repeated headers with `; `).
 * @param names cookie names to remove, e.g. `new Set([codec.name])`.
 * @returns the remaining header, or `undefined` when nothing is left (drop the header).
 * @see RFC 6265 §5.4 (the Cookie header)
 */
export function removeCookies(
  cookieHeader: string | undefined,
  names: ReadonlySet<string>,
): string | undefined {
  if (cookieHeader === undefined) return undefined;
  const banned = new Set([...names].map((n) => n.toLowerCase()));
  const kept = cookieHeader.split(';').filter((pair) => {
    const [name] = Object.keys(parseCookie(pair, { decode: keepRaw }));
    return name === undefined || !banned.has(name.toLowerCase());
  });
  const result = kept.join(';').replace(/^[ \t]+/, '');
  return /^[ \t;]*$/.test(result) ? undefined : result;
}
