import { isGatewayError } from '../../core/index.js';
import { DEFAULT_PORTS, canonicalizeHostname } from '../canonical/host.js';

/**
 * A compiled route host pattern.
 * - `any`: `*` (or no `host`): every host.
 * - `exact`: one host name, compared with the canonical request host.
 * - `wildcard`: `*.example.com` matches one or more labels in front of `example.com`
 *   (`a.example.com`, `a.b.example.com`), never `example.com` itself.
 * A pattern may end in `:port`; it then also requires that port (default ports count:
 * `example.com:443` matches `https://example.com/`).
 */
export interface HostPattern {
  readonly kind: 'any' | 'exact' | 'wildcard';
  /** Normalised text of the pattern (`*`, `example.com`, `*.example.com:8443`). */
  readonly text: string;
  /** The host (exact) or the suffix with its leading dot (wildcard, e.g. `.example.com`); '' for any. */
  readonly key: string;
  readonly port: number | undefined;
  /** Tests a canonical host name (without port). */
  testName(host: string): boolean;
  /** Tests a canonical host and port. */
  test(host: string, port: number | undefined, scheme: 'http' | 'https'): boolean;
}

function withPort(p: Omit<HostPattern, 'test'>): HostPattern {
  const want = p.port;
  return Object.freeze({
    ...p,
    test: (host: string, port: number | undefined, scheme: 'http' | 'https') =>
      p.testName(host) && (want === undefined || want === (port ?? DEFAULT_PORTS[scheme])),
  });
}

/**
 * Compiles a host pattern from the configuration.
 * @returns the pattern, or a message saying why it is invalid.
 */
export function compileHostPattern(text: string): HostPattern | string {
  if (text === '*')
    return withPort({ kind: 'any', text: '*', key: '', port: undefined, testName: () => true });
  let name = text;
  let port: number | undefined;
  const m = /^(.*[^\]:]|\[[^\]]*\]):(\d{1,5})$/.exec(text);
  if (m) {
    name = m[1] ?? '';
    port = Number(m[2]);
    if (port < 1 || port > 65535)
      return `port out of range in host pattern ${JSON.stringify(text)}`;
  }
  const portText = port === undefined ? '' : `:${port}`;
  try {
    if (name.startsWith('*.')) {
      const suffix = `.${canonicalizeHostname(name.slice(2))}`;
      return withPort({
        kind: 'wildcard',
        text: `*${suffix}${portText}`,
        key: suffix,
        port,
        testName: (host: string) => host.endsWith(suffix) && host.length > suffix.length,
      });
    }
    if (name.includes('*'))
      return `only a leading "*." wildcard is supported in host patterns: ${JSON.stringify(text)}`;
    const host = canonicalizeHostname(name);
    return withPort({
      kind: 'exact',
      text: `${host}${portText}`,
      key: host,
      port,
      testName: (h: string) => h === host,
    });
  } catch (err) {
    return `invalid host pattern ${JSON.stringify(text)}: ${isGatewayError(err) ? err.message.replace(/^invalid request target: /, '') : 'invalid'}`;
  }
}

/** True when every host `inner` matches is matched by `outer` too (ports: `outer` without port covers any). */
export function hostCovers(outer: HostPattern, inner: HostPattern): boolean {
  if (outer.port !== undefined && outer.port !== inner.port) return false;
  if (outer.kind === 'any') return true;
  if (inner.kind === 'any') return false;
  if (outer.kind === 'exact') return inner.kind === 'exact' && inner.key === outer.key;
  return (
    inner.key.endsWith(outer.key) &&
    (inner.kind === 'wildcard' || inner.key.length > outer.key.length)
  );
}

/** True when some host is matched by both patterns. */
export function hostsOverlap(a: HostPattern, b: HostPattern): boolean {
  if (a.port !== undefined && b.port !== undefined && a.port !== b.port) return false;
  if (a.kind === 'any' || b.kind === 'any') return true;
  if (a.kind === 'exact' && b.kind === 'exact') return a.key === b.key;
  if (a.kind === 'exact') return b.testName(a.key);
  if (b.kind === 'exact') return a.testName(b.key);
  return a.key.endsWith(b.key) || b.key.endsWith(a.key);
}
