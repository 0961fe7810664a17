/**
 * Making identity values safe to put in an HTTP header field value.
 *
 * Policy (one place, used by identity injection and header templates):
 * - **Dropped** (the value is not sent at all): values containing any control character
 *   (C0 including CR, LF, NUL and TAB; DEL; C1), U+2028/U+2029 line/paragraph separators,
 *   lone UTF-16 surrogates, and values with leading or trailing white space. Dropping
 *   rather than cleaning is deliberate: `"admin\r\n"` or `" admin"` cleaned (or trimmed by
 *   the upstream's parser as RFC 9110 §5.5 OWS) would become `"admin"`, a different user.
 *   CR/LF therefore can never reach the wire (no header injection).
 * - **Non-ASCII** (e.g. `José`) is sent as its UTF-8 octets. Node writes header strings as
 *   Latin-1, so the value is turned into the Latin-1 string whose code units are the UTF-8
 *   bytes; upstreams reading the field as UTF-8 (what Go-based proxies such as
 *   oauth2-proxy and Pomerium send) get the right text. UTF-8 never produces the bytes
 *   0x00–0x7F inside a multi-byte sequence, so no CR/LF can appear.
 * - Printable ASCII passes unchanged.
 * @see RFC 9110 §5.5 (field values: obs-text, no CR/LF/NUL)
 */

// With the `u` flag a surrogate pair is one code point, so the range \ud800-\udfff only
// matches lone (ill-formed) surrogates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/u;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/** Whether `value` has a control character, a line separator or a lone surrogate. */
export function hasUnsafeChars(value: string): boolean {
  return UNSAFE.test(value);
}

/**
 * The wire form of text already known to be free of unsafe characters: printable ASCII
 * unchanged, anything else as the Latin-1 string of its UTF-8 bytes.
 */
export function wireForm(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}

/**
 * Whether `value` may be sent in a header under the policy above (no control
 * characters, no line separators, well-formed UTF-16, no leading/trailing space).
 */
export function isSafeHeaderValue(value: string): boolean {
  if (UNSAFE.test(value)) return false;
  return value === value.trim();
}

/**
 * The wire form of a safe value: printable ASCII unchanged; anything else as the Latin-1
 * string of its UTF-8 bytes. Returns `undefined` for values that must be dropped
 * ({@link isSafeHeaderValue} false). The empty string is returned as ''.
 */
export function headerValue(value: string): string | undefined {
  if (PRINTABLE_ASCII.test(value)) return value === value.trim() ? value : undefined;
  if (!isSafeHeaderValue(value)) return undefined;
  return wireForm(value);
}

/**
 * Joins list members (groups, roles) into one comma-separated text, **not yet in wire
 * form** (pass it to {@link headerValue}). A member is dropped when it is empty, unsafe
 * ({@link isSafeHeaderValue}), or contains a comma: `"staff,admin"` must not turn into two
 * groups for an upstream that splits on commas. Members are joined with `,`, no space.
 */
export function headerList(values: readonly string[]): string {
  return values.filter((v) => v !== '' && !v.includes(',') && isSafeHeaderValue(v)).join(',');
}
