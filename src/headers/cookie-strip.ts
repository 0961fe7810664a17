import { parseCookie } from 'cookie';
import { GatewayError } from '../core/index.js';

/** Parse without percent-decoding: only names matter here, values are kept as sent. */
const RAW = { decode: (value: string): string => value } as const;

/** Which cookie names are the gateway's: a set of lower-case names, or a predicate on the lower-cased name. */
export type GatewayCookieMatcher = ReadonlySet<string> | ((lowerCaseName: string) => boolean);

function matcher(names: GatewayCookieMatcher): (lowerCaseName: string) => boolean {
  return typeof names === 'function' ? names : (n) => names.has(n);
}

/** Whether the `cookie` parser finds any cookie whose lower-cased name is the gateway's. */
function hasAny(header: string, isOurs: (lowerCaseName: string) => boolean): boolean {
  for (const name of Object.keys(parseCookie(header, RAW))) {
    if (isOurs(name.toLowerCase())) return true;
  }
  return false;
}

/** Leading/trailing SP and HTAB, the white space the `cookie` parser ignores around pairs. */
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

/**
 * Removes the gateway's cookies from a `Cookie` request header and keeps every other
 * cookie pair byte for byte.
 *
 * Approach: the `cookie` package decides which names are present (no hand-rolled parsing
 * of names). Its parser delimits pairs at every `;` (a cookie value cannot contain `;`)
 * and takes a pair's name as the text before the pair's first `=`, trimmed of SP/HTAB.
 * So the header is split at `;` and each piece is handed to the same parser alone: the
 * name it reports for the piece is exactly the name it reports for that pair in the whole
 * header, including every duplicate (the whole-header parse keeps only the first). Pieces
 * named like a gateway cookie are dropped; the others are kept with their original text
 * (only the separator white space is normalised to `"; "`, RFC 6265 §4.2.1). Pieces
 * without `=` are not cookies for the parser and are kept as they are. Finally the result
 * is parsed again to confirm no gateway cookie survived.
 *
 * Names match case-insensitively: the names are reserved for the gateway, and an upstream
 * that folds cookie-name case must not see a look-alike of the session cookie.
 *
 * @param header the `Cookie` header value as received.
 * @param names gateway cookie names, **lower case**, or a predicate on the lower-cased name.
 * @returns `header` itself when it holds no gateway cookie; the rebuilt header when some
 *   were removed; `undefined` when nothing remains.
 * @throws GatewayError `ERR_INTERNAL` if the re-parse still finds a gateway cookie (fail closed).
 * @see RFC 6265 §4.2 (Cookie header), §5.4
 */
export function stripGatewayCookies(header: string, names: GatewayCookieMatcher): string | undefined {
  const isOurs = matcher(names);
  if (!hasAny(header, isOurs)) return header;
  const kept: string[] = [];
  for (const piece of header.split(';')) {
    const text = piece.replace(OWS_EDGES, '');
    if (text === '') continue;
    const pieceNames = Object.keys(parseCookie(text, RAW));
    if (pieceNames.some((n) => isOurs(n.toLowerCase()))) continue;
    kept.push(text);
  }
  if (kept.length === 0) return undefined;
  const result = kept.join('; ');
  if (hasAny(result, isOurs)) {
    throw new GatewayError('ERR_INTERNAL', 'gateway cookie survived stripping');
  }
  return result;
}
