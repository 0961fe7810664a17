import { isGatewayError } from '../../core/index.js';
import { canonicalizePath } from '../canonical/path.js';
import { compileGlob } from './glob.js';

/** A compiled path condition of a route or a `path` criterion. */
export interface PathMatcher {
  readonly kind: 'any' | 'prefix' | 'exact' | 'glob';
  /** The pattern as compared (canonical, lower-cased when case-insensitive, prefixes without trailing slash). */
  readonly pattern: string;
  /** For globs: the literal path before the first wildcard segment. For others: `pattern`. */
  readonly literalPrefix: string;
  /** First path segment every matching path has (for indexing), or undefined when it varies. */
  readonly firstSegment: string | undefined;
  /** Tests a matching path (see `matchingPath`). */
  test(path: string): boolean;
}

/** A path pattern from the configuration: which form, and the text. */
export interface PathPatternInput {
  readonly kind: 'prefix' | 'exact' | 'glob';
  readonly pattern: string;
}

/** First segment of a path: `admin` for `/admin/x`, `` for `/`. */
export function firstSegmentOf(path: string): string {
  const end = path.indexOf('/', 1);
  return end < 0 ? path.slice(1) : path.slice(1, end);
}

/** Matches every path. */
export const ANY_PATH: PathMatcher = Object.freeze({
  kind: 'any' as const,
  pattern: '/',
  literalPrefix: '/',
  firstSegment: undefined,
  test: () => true,
});

/** True when `path` equals `prefix` or lies below it segment-wise (`/admin` covers `/admin/x`, not `/administrator`). */
export function underPrefix(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

function checkCanonical(text: string): string | undefined {
  if (text.includes(';')) return 'path parameters (";") cannot be matched: remove them';
  try {
    const canonical = canonicalizePath(text);
    return canonical === text
      ? undefined
      : `not in canonical form; write it as ${JSON.stringify(canonical)}`;
  } catch (err) {
    return isGatewayError(err) ? err.message : 'invalid path';
  }
}

/**
 * Compiles a route path or a `path` criterion. Patterns must already be canonical (as
 * `canonicalizePath` makes request paths), otherwise they could never match.
 * - prefix: segment-aware; `/admin` and `/admin/` both match `/admin`, `/admin/` and
 *   `/admin/x`, never `/administrator`; `/` matches everything.
 * - exact: the whole path, nothing else (`/a` does not match `/a/`).
 * - glob: see `compileGlob`.
 * With `caseInsensitive`, the pattern is lower-cased; callers lower-case request paths too.
 * @returns the matcher, or a message saying why the pattern is invalid.
 */
export function compilePathMatcher(
  input: PathPatternInput,
  caseInsensitive: boolean,
): PathMatcher | string {
  const raw = input.pattern;
  if (input.kind === 'glob') {
    const glob = compileGlob(caseInsensitive ? raw.toLowerCase() : raw);
    if (!glob.ok) return glob.message;
    const problem = checkCanonical(raw);
    if (problem !== undefined) return problem;
    const pattern = caseInsensitive ? raw.toLowerCase() : raw;
    const first = pattern.split('/')[1] ?? '';
    const firstSegment = first.includes('*') ? undefined : first;
    return Object.freeze({
      kind: 'glob' as const,
      pattern,
      literalPrefix: glob.literalPrefix,
      firstSegment,
      test: (path: string) => glob.regex.test(path),
    });
  }
  const problem = checkCanonical(raw);
  if (problem !== undefined) return problem;
  let pattern = caseInsensitive ? raw.toLowerCase() : raw;
  if (input.kind === 'prefix') {
    if (pattern.length > 1 && pattern.endsWith('/')) pattern = pattern.slice(0, -1);
    if (pattern === '/') return ANY_PATH;
    const below = `${pattern}/`;
    const p = pattern;
    return Object.freeze({
      kind: 'prefix' as const,
      pattern,
      literalPrefix: pattern,
      firstSegment: firstSegmentOf(pattern),
      test: (path: string) => path === p || path.startsWith(below),
    });
  }
  const p = pattern;
  return Object.freeze({
    kind: 'exact' as const,
    pattern,
    literalPrefix: pattern,
    firstSegment: firstSegmentOf(pattern),
    test: (path: string) => path === p,
  });
}
