import { invalidTarget } from './reject.js';

const HEX = '0123456789ABCDEF';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Character classes for raw (not percent-encoded) path characters, by char code. */
const enum Raw {
  /** Kept as is: unreserved, sub-delims, `:`, `@`, `/` (RFC 3986 §3.3 pchar). */
  Keep = 0,
  /** Printable but not allowed raw in a path (`"<>[]^`{|}`): percent-encoded in the canonical form. */
  Encode = 1,
  /** Refused: controls, space, `\`, `#`, DEL and anything outside ASCII. */
  Reject = 2,
  /** `%`: starts a percent-encoding. */
  Percent = 3,
}

const RAW_CLASS: readonly Raw[] = (() => {
  const table: Raw[] = [];
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (c <= 0x20 || c === 0x7f || ch === '\\' || ch === '#' || ch === '?') table.push(Raw.Reject);
    else if (ch === '%') table.push(Raw.Percent);
    else if (/[A-Za-z0-9\-._~!$&'()*+,;=:@/]/.test(ch)) table.push(Raw.Keep);
    else table.push(Raw.Encode);
  }
  return table;
})();

function isUnreservedByte(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x2d ||
    b === 0x2e ||
    b === 0x5f ||
    b === 0x7e
  );
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function pct(b: number): string {
  return `%${HEX[b >> 4] ?? ''}${HEX[b & 15] ?? ''}`;
}

/** Decodes one run of consecutive `%XX` triplets starting at `start`; returns the canonical text and the end index. */
function decodeRun(raw: string, start: number): { text: string; end: number } {
  const bytes: number[] = [];
  let i = start;
  while (i < raw.length && raw.charCodeAt(i) === 0x25) {
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) throw invalidTarget('invalid percent-encoding in path');
    bytes.push(hi * 16 + lo);
    i += 3;
  }
  let highBytes = false;
  let text = '';
  for (const b of bytes) {
    if (b < 0x20 || b === 0x7f) throw invalidTarget('encoded control character in path');
    if (b === 0x2f || b === 0x5c) throw invalidTarget('encoded slash or backslash in path');
    if (b >= 0x80) highBytes = true;
    text += isUnreservedByte(b) ? String.fromCharCode(b) : pct(b);
  }
  if (highBytes) {
    try {
      utf8.decode(Uint8Array.from(bytes));
    } catch {
      throw invalidTarget('percent-encoded bytes in path are not valid UTF-8');
    }
  }
  return { text, end: i };
}

/**
 * Normalises percent-encoding of a path: unreserved characters decoded, other encodings in
 * upper-case hex, raw `"<>[]^`{|}` encoded. Rejects what could be read two ways.
 * @throws GatewayError ERR_REQUEST_TARGET_INVALID (400)
 * @see RFC 3986 §2.1, §2.3, §6.2.2.1, §6.2.2.2
 */
function normalizeEncoding(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const code = raw.charCodeAt(i);
    const cls = code < 128 ? RAW_CLASS[code] : Raw.Reject;
    switch (cls) {
      case Raw.Keep:
        out += raw[i] ?? '';
        i++;
        break;
      case Raw.Encode:
        out += pct(code);
        i++;
        break;
      case Raw.Percent: {
        const run = decodeRun(raw, i);
        out += run.text;
        i = run.end;
        break;
      }
      case Raw.Reject:
      case undefined:
        if (code === 0x5c) throw invalidTarget('backslash in path');
        if (code < 0x20 || code === 0x7f) throw invalidTarget('control character in path');
        throw invalidTarget('character not allowed in path');
    }
  }
  if (/%25[0-9A-Fa-f]{2}/.test(out)) throw invalidTarget('double percent-encoding in path');
  return out;
}

/**
 * Resolves dot segments and merges repeated slashes of an encoding-normalised path. A `..`
 * that would climb above `/` is refused, and so are `.;` / `..;` segments, which servlet
 * containers (Tomcat, Jetty) treat as dot segments once they strip path parameters.
 * @throws GatewayError ERR_REQUEST_TARGET_INVALID (400)
 * @see RFC 3986 §5.2.4
 */
function resolveSegments(path: string): string {
  const segments = path.split('/');
  const stack: string[] = [];
  let trailingSlash = false;
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    const last = i === segments.length - 1;
    if (seg === '' || seg === '.') {
      if (last) trailingSlash = true;
      continue;
    }
    if (seg === '..') {
      if (stack.length === 0) throw invalidTarget('dot segments escape the root');
      stack.pop();
      if (last) trailingSlash = true;
      continue;
    }
    if (seg.startsWith('.;') || seg.startsWith('..;'))
      throw invalidTarget('dot segment with path parameters');
    stack.push(seg);
  }
  if (stack.length === 0) return '/';
  return `/${stack.join('/')}${trailingSlash ? '/' : ''}`;
}

/**
 * Canonicalises the path of a request target (without the query): percent-encoding of
 * unreserved characters decoded, other percent-encodings in upper-case hex, dot segments
 * resolved (also when encoded, e.g. `%2e%2E`), repeated slashes merged.
 *
 * Rejected: a path not starting with `/`; encoded `/` or `\` (`%2F`, `%5C`, any case); raw
 * `\`, `#`, space, controls, DEL or non-ASCII; encoded controls `%00`–`%1F`, `%7F`; invalid
 * (`%zz`) or truncated (`%4`) percent-encoding; encoded bytes that are not valid UTF-8
 * (including overlong forms like `%C0%AE`); double encoding (`%25` followed by two hex
 * digits); `..` escaping the root; `.;`/`..;` segments.
 * @throws GatewayError ERR_REQUEST_TARGET_INVALID (400)
 * @see RFC 3986 §2, §3.3, §5.2.4, §6.2.2
 */
export function canonicalizePath(raw: string): string {
  if (!raw.startsWith('/')) throw invalidTarget('path must start with "/"');
  return resolveSegments(normalizeEncoding(raw));
}

/**
 * Checks a raw query string (without `?`): kept verbatim, but controls, space, `#`, DEL and
 * non-ASCII characters are refused since no valid request-target contains them raw.
 * @throws GatewayError ERR_REQUEST_TARGET_INVALID (400)
 * @see RFC 3986 §3.4, RFC 9112 §3.2
 */
export function checkQuery(query: string): string {
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x23) throw invalidTarget('character not allowed in query');
  }
  return query;
}

/**
 * The path as route matching sees it: path parameters (`;…` at the end of a segment, as
 * servlet containers strip them) removed and repeated slashes merged, so `/admin;x/y`
 * is matched like `/admin/y`. Optionally lower-cased (`case_insensitive_paths`).
 */
export function matchingPath(canonicalPath: string, lowerCase: boolean): string {
  let p = canonicalPath;
  if (p.includes(';')) {
    p = p.replace(/;[^/]*/g, '').replace(/\/{2,}/g, '/');
  }
  return lowerCase ? p.toLowerCase() : p;
}
