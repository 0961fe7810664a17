/** Result of compiling a path glob: a matcher, or the reason the glob is invalid. */
export type GlobResult =
  | { readonly ok: true; readonly regex: RegExp; readonly literalPrefix: string }
  | { readonly ok: false; readonly message: string };

const ESCAPE = /[.*+?^${}()|[\]\\]/g;

/**
 * Compiles a path glob into an anchored regular expression.
 * `*` matches any run of characters within one segment (`[^/]*`); a whole segment `**`
 * matches zero or more segments, so `/api/**` matches `/api`, `/api/` and `/api/a/b`, and
 * `/a/**\/b` matches `/a/b` and `/a/x/y/b`. `**` inside a segment (`/a**`), `?`, `[`, `]`,
 * `{`, `}` are refused so that nobody expects another glob dialect.
 * `literalPrefix` is the path up to the first segment containing a wildcard (used for indexing
 * and overlap analysis), e.g. `/api` for `/api/*\/x`, `/` for `/*.js`.
 */
export function compileGlob(glob: string): GlobResult {
  if (!glob.startsWith('/')) return { ok: false, message: 'a path glob must start with "/"' };
  if (/[?[\]{}]/.test(glob))
    return { ok: false, message: 'only "*" and "**" are supported in path globs' };
  const segments = glob.split('/').slice(1);
  let source = '^';
  const literal: string[] = [];
  let wild = false;
  for (const seg of segments) {
    if (seg === '**') {
      source += '(?:/[^/]*)*';
      wild = true;
      continue;
    }
    if (seg.includes('**')) return { ok: false, message: '"**" must be a whole path segment' };
    if (seg.includes('*')) wild = true;
    else if (!wild) literal.push(seg);
    source += `/${seg
      .split('*')
      .map((part) => part.replace(ESCAPE, '\\$&'))
      .join('[^/]*')}`;
  }
  source += '$';
  const nonEmpty = literal.filter((s) => s !== '');
  return { ok: true, regex: new RegExp(source), literalPrefix: `/${nonEmpty.join('/')}` };
}
