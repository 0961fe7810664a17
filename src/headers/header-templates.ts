import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, type Identity } from '../core/index.js';
import { GATEHOUSE_HEADER_PREFIX, HEADER_NAME_PATTERN, normaliseHeaderName } from './header-names.js';
import { hasUnsafeChars, headerList, isSafeHeaderValue, wireForm } from './header-value.js';

/**
 * Identity fields a template may name, in snake_case as in OIDC and the config. Anything
 * else must go through `claims.…`.
 */
const FIELDS = {
  sub: (i) => i.sub,
  iss: (i) => i.issuer,
  user: (i) => i.user,
  email: (i) => i.email,
  email_verified: (i) => i.emailVerified,
  name: (i) => i.name,
  preferred_username: (i) => i.preferredUsername,
  groups: (i) => i.groups,
  roles: (i) => i.roles,
  amr: (i) => i.amr,
  acr: (i) => i.acr,
  auth_time: (i) => i.authTime,
} as const satisfies Record<string, (identity: Identity) => unknown>;

/** Headers a template must not set: they frame or route the message (RFC 9112 §6, §9.6). */
const FORBIDDEN = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'keep-alive', 'cookie']);

type Part = { readonly text: string } | { readonly get: (identity: Identity) => unknown };

interface Compiled {
  /** Lower-case header name. */
  readonly name: string;
  readonly parts: readonly Part[];
}

/** Header templates compiled at load. */
export interface CompiledHeaderTemplates {
  /** The configured header names (pass them to the shaper's `extraStripped`). */
  readonly names: readonly string[];
  /** Rendered `[lower-case name, wire value]` pairs for `identity`. */
  render(identity: Identity): [name: string, value: string][];
  /**
   * Deletes every header with the same normal name (case, `_`/`-`) as a template header,
   * then sets the rendered values. Mutates and returns `headers`.
   */
  apply(headers: IncomingHttpHeaders, identity: Identity): IncomingHttpHeaders;
}

const EXPR_CLAIMS = /^claims((?:\.[A-Za-z0-9_$-]+|\["(?:[^"\\]|\\.)*"\])+)$/;
const SEGMENT = /\.([A-Za-z0-9_$-]+)|\["((?:[^"\\]|\\.)*)"\]/g;

function fail(header: string, message: string): never {
  throw new GatewayError('ERR_CONFIG_INVALID', `header template "${header}": ${message}`);
}

function compileExpression(header: string, expr: string): Part {
  if (Object.hasOwn(FIELDS, expr)) return { get: FIELDS[expr as keyof typeof FIELDS] };
  const m = EXPR_CLAIMS.exec(expr);
  if (m === null) {
    fail(header, `unknown expression "{{ ${expr} }}" (use one of ${Object.keys(FIELDS).join(', ')}, or claims.<name>)`);
  }
  const path: string[] = [];
  for (const s of (m[1] ?? '').matchAll(SEGMENT)) {
    if (s[1] !== undefined) {
      path.push(s[1]);
      continue;
    }
    try {
      path.push(JSON.parse(`"${s[2] ?? ''}"`) as string);
    } catch {
      fail(header, `invalid quoted claim name in "{{ ${expr} }}"`);
    }
  }
  return {
    get: (identity) => {
      let value: unknown = identity.claims;
      for (const key of path) {
        if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
        value = (value as Record<string, unknown>)[key];
      }
      return value;
    },
  };
}

function compileTemplate(header: string, template: string): Part[] {
  const parts: Part[] = [];
  let rest = template;
  while (rest !== '') {
    const open = rest.indexOf('{{');
    const literal = open === -1 ? rest : rest.slice(0, open);
    if (literal.includes('}}')) fail(header, 'unbalanced "}}"');
    if (hasUnsafeChars(literal)) fail(header, 'literal text must not contain control characters');
    if (literal !== '') parts.push({ text: literal });
    if (open === -1) break;
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) fail(header, 'unclosed "{{"');
    const expr = rest.slice(open + 2, close).trim();
    if (expr === '' || expr.includes('{{')) fail(header, `invalid expression "{{${rest.slice(open + 2, close)}}}"`);
    parts.push(compileExpression(header, expr));
    rest = rest.slice(close + 2);
  }
  return parts;
}

/** A claim or field value as header text; '' for absent, unsafe or structured values. */
function text(value: unknown): string {
  if (typeof value === 'string') return isSafeHeaderValue(value) ? value : '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return headerList(value.filter((v): v is string => typeof v === 'string'));
  return '';
}

/**
 * Compiles one template (same syntax as {@link compileHeaderTemplates}) into a function
 * giving its text for an identity: absent/unsafe values render as '', the result is **not**
 * in wire form (the caller encodes it).
 * @param label names the template in error messages (e.g. `basic_auth.user`).
 * @throws GatewayError `ERR_CONFIG_INVALID` for unknown template syntax.
 */
export function compileTextTemplate(label: string, template: string): (identity: Identity) => string {
  const parts = compileTemplate(label, template);
  return (identity) => parts.map((p) => ('text' in p ? p.text : text(p.get(identity)))).join('');
}

/**
 * Checks that a route may set the header `name` (a header name, not framing or routing:
 * `Host`, `Content-Length`, `Cookie`, `Proxy-*`, …, and not the gateway's own `X-Gatehouse-*`).
 * @returns the normal name (lower case, `_` → `-`).
 * @throws GatewayError `ERR_CONFIG_INVALID` naming `what`.
 */
export function checkSettableHeader(name: string, what: string): string {
  if (!HEADER_NAME_PATTERN.test(name)) fail(name, `${what}: not a valid header name (RFC 9110 §5.1)`);
  const normal = normaliseHeaderName(name);
  if (FORBIDDEN.has(normal) || normal.startsWith('proxy-') || normal.startsWith(GATEHOUSE_HEADER_PREFIX)) {
    fail(name, `${what}: this header cannot be set by a route`);
  }
  return normal;
}

/**
 * Compiles header templates for legacy apps, e.g.
 * `{ "X-Remote-User": "{{ preferred_username }}", "X-Dept": "{{ claims.department }}",
 *    "X-Role": "{{ claims[\"https://example.com/role\"] }}", "X-Source": "gatehouse" }`.
 *
 * Syntax: literal text with `{{ expr }}` placeholders; `expr` is an identity field
 * (`sub`, `iss`, `user`, `email`, `email_verified`, `name`, `preferred_username`,
 * `groups`, `roles`, `amr`, `acr`, `auth_time`) or a claim path `claims.a.b` /
 * `claims["any key"]` (own properties only). Nothing else: no filters, no escapes.
 *
 * At request time a missing value renders as '' (never the template text); string values
 * with control characters (CR/LF…) or leading/trailing space render as ''; arrays are
 * comma-joined without members containing commas; objects render as ''. Non-ASCII is sent
 * as UTF-8 octets (see `header-value.ts`).
 * @throws GatewayError `ERR_CONFIG_INVALID`, message naming the header, for an invalid
 *   header name, a framing header (`Host`, `Content-Length`, `Cookie`, …), a duplicate
 *   name (after case/`_` normalisation), or unknown template syntax.
 */
export function compileHeaderTemplates(map: Readonly<Record<string, string>>): CompiledHeaderTemplates {
  const compiled: Compiled[] = [];
  const seen = new Set<string>();
  for (const [header, template] of Object.entries(map)) {
    if (!HEADER_NAME_PATTERN.test(header)) fail(header, 'not a valid header name (RFC 9110 §5.1)');
    const normal = normaliseHeaderName(header);
    if (FORBIDDEN.has(normal) || normal.startsWith('proxy-') || normal.startsWith(GATEHOUSE_HEADER_PREFIX)) {
      fail(header, 'this header cannot be set by a template');
    }
    if (seen.has(normal)) fail(header, 'duplicate header (names are compared ignoring case and _/-)');
    seen.add(normal);
    compiled.push({ name: header.toLowerCase(), parts: compileTemplate(header, template) });
  }
  const names = Object.freeze(Object.keys(map));

  const render = (identity: Identity): [string, string][] =>
    compiled.map(({ name, parts }) => [name, wireForm(parts.map((p) => ('text' in p ? p.text : text(p.get(identity)))).join(''))]);

  return {
    names,
    render,
    apply(headers, identity) {
      for (const key of Object.keys(headers)) if (seen.has(normaliseHeaderName(key))) Reflect.deleteProperty(headers, key);
      for (const [name, value] of render(identity)) headers[name] = value;
      return headers;
    },
  };
}
