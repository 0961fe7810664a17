import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGatewayError, type CanonicalRequest } from '../../../src/core/index.js';
import { canonicalize, canonicalizePath, type RouteTable } from '../../../src/policy/index.js';
import { ctx, identity, table } from './helpers.js';

const adminPolicy = { allow: [{ group: 'admins' }] };
const sensitive = table([
  { id: 'admin', match: { path: '/admin' }, policy: adminPolicy },
  { id: 'site', policy: 'public' },
]);
const insensitive = table([
  { id: 'admin', match: { path: '/admin' }, policy: adminPolicy, case_insensitive_paths: true },
  { id: 'site', policy: 'public', case_insensitive_paths: true },
]);

function tryCanonicalize(target: string): CanonicalRequest | 'rejected' {
  try {
    return canonicalize(
      { method: 'GET', target, host: 'app.example.com', scheme: 'https', clientIp: '203.0.113.9' },
      { servesHost: () => true },
    );
  } catch (err) {
    if (isGatewayError(err, 'ERR_REQUEST_TARGET_INVALID') && err.status === 400) return 'rejected';
    throw err;
  }
}

const hexCase = fc.constantFrom<'upper' | 'lower'>('upper', 'lower');
/** Percent-encodes one character (UTF-8) with hex digits in the chosen case. */
function encodeChar(ch: string, hc: 'upper' | 'lower'): string {
  const hex = [...Buffer.from(ch, 'utf8')]
    .map((b) => `%${b.toString(16).padStart(2, '0')}`)
    .join('');
  return hc === 'upper' ? hex.toUpperCase() : hex;
}

const segChar = fc.constantFrom(
  ...Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~.'),
);
const segment = fc
  .array(segChar, { minLength: 1, maxLength: 6 })
  .map((a) => a.join(''))
  .filter((s) => s !== '.' && s !== '..');
const caseVariant = fc.constantFrom('admin', 'Admin', 'ADMIN', 'aDmIn');
const dot = fc.constantFrom('.', '%2e', '%2E');
/** How segments are joined: `/`, `//`, `/./`, `/junk/../` with encoded dots. */
const separator = fc.oneof(
  fc.constant('/'),
  fc.constant('//'),
  dot.map((d) => `/${d}/`),
  fc.tuple(segment, dot, dot).map(([j, d1, d2]) => `/${j}/${d1}${d2}/`),
);
/** A segment with each character raw or percent-encoded. */
function encodedSegment(seg: string): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.boolean(), hexCase), { minLength: seg.length, maxLength: seg.length })
    .map((flags) =>
      Array.from(seg)
        .map((ch, i) => {
          const f = flags[i];
          return f?.[0] === true ? encodeChar(ch, f[1]) : ch;
        })
        .join(''),
    );
}

/** An intended path under /admin (in some letter case) and one raw encoding of it. */
const adminPath = fc
  .tuple(caseVariant, fc.array(segment, { maxLength: 4 }), fc.boolean())
  .chain(([first, rest, trailing]) => {
    const segs = [first, ...rest];
    const intended = `/${segs.join('/')}${trailing && rest.length > 0 ? '/' : ''}`;
    return fc
      .tuple(
        fc.tuple(...segs.map(encodedSegment)),
        fc.array(separator, { minLength: segs.length, maxLength: segs.length }),
      )
      .map(([encSegs, seps]) => ({
        intended,
        raw:
          encSegs.map((s, i) => `${seps[i] ?? '/'}${s}`).join('') +
          (trailing && rest.length > 0 ? '/' : ''),
      }));
  });

function decision(t: RouteTable, c: CanonicalRequest) {
  return t.match(c)?.evaluate(identity({ groups: ['staff'] }), c, ctx);
}

describe('canonicalisation properties', () => {
  it('encodings of /admin paths are rejected or canonicalise to exactly the decoded path', () => {
    fc.assert(
      fc.property(adminPath, ({ intended, raw }) => {
        const c = tryCanonicalize(raw);
        if (c === 'rejected') return;
        expect(c.path).toBe(intended);
        // the matcher treats it like the decoded path
        expect(sensitive.match(c)?.id).toBe(sensitive.match({ ...c, path: intended })?.id);
        // and case-insensitive routes always see /admin
        expect(insensitive.match(c)?.id).toBe('admin');
        expect(decision(insensitive, c)?.effect).toBe('deny');
        if (intended.startsWith('/admin')) expect(decision(sensitive, c)?.effect).toBe('deny');
      }),
      { numRuns: 2000 },
    );
  });

  // Adversarial token soup: whatever an upstream makes of it, a path it reads as /admin must
  // match the admin route here (or be rejected).
  const token = fc.constantFrom(
    '/',
    '//',
    '\\',
    '.',
    '..',
    '%2e',
    '%2E',
    '%2f',
    '%2F',
    '%5c',
    '%5C',
    '%00',
    '%',
    '%zz',
    '%4',
    'admin',
    'ADMIN',
    'Admin',
    '%61dmin',
    '%41DMIN',
    'adm%69n',
    ';',
    ';x',
    '%3B',
    '%3b',
    'x',
    '%25',
    '%252e',
    '%C0%AE',
    '%c3%a9',
    '~',
    '|',
    '?',
  );
  const soup = fc.array(token, { maxLength: 12 }).map((t) => `/${t.join('')}`);

  /** How a typical upstream reads a path: strip `;params` (servlet), decode once, resolve dots. */
  function upstreamView(rawPath: string, stripParams: boolean): string {
    let p = rawPath.split('?')[0] ?? '';
    if (stripParams) p = p.replace(/;[^/]*/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < p.length; i++) {
      const m = /^%([0-9a-fA-F]{2})/.exec(p.slice(i));
      if (m) {
        bytes.push(parseInt(m[1] ?? '0', 16));
        i += 2;
      } else bytes.push(p.charCodeAt(i) & 0xff);
    }
    const decoded = Buffer.from(bytes).toString('latin1').replace(/\\/g, '/');
    const out: string[] = [];
    for (const s of decoded.split('/')) {
      if (s === '' || s === '.') continue;
      if (s === '..') out.pop();
      else out.push(s);
    }
    return `/${out.join('/')}`;
  }
  const underAdmin = (p: string, ci: boolean) => {
    const q = ci ? p.toLowerCase() : p;
    return q === '/admin' || q.startsWith('/admin/');
  };

  it('no encoding trick reaches /admin upstream while matching another route here', () => {
    fc.assert(
      fc.property(soup, (raw) => {
        const c = tryCanonicalize(raw);
        if (c === 'rejected') return;
        for (const strip of [false, true]) {
          const seen = upstreamView(raw, strip);
          if (underAdmin(seen, false)) expect(sensitive.match(c)?.id).toBe('admin');
          if (underAdmin(seen, true)) expect(insensitive.match(c)?.id).toBe('admin');
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('accepted paths are canonical: idempotent, no dot segments, no repeated slashes, upper-case hex', () => {
    fc.assert(
      fc.property(soup, (raw) => {
        const c = tryCanonicalize(raw);
        if (c === 'rejected') return;
        expect(canonicalizePath(c.path)).toBe(c.path);
        expect(c.path).not.toMatch(/\/\/|(^|\/)\.\.?(\/|$)|%[0-9A-F]?[a-f]|%2F|%5C|\\/);
        expect(c.path.startsWith('/')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('percent-encoding any unreserved character decodes; any other stays encoded in upper case', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), hexCase, (s, hc) => {
        const raw = `/p/${Array.from(s)
          .map((ch) => encodeChar(ch, hc))
          .join('')}`;
        const c = tryCanonicalize(raw);
        const bytes = [...Buffer.from(s, 'utf8')];
        const forbidden =
          bytes.some((b) => b < 0x20 || b === 0x7f || b === 0x2f || b === 0x5c) ||
          /%25[0-9A-Fa-f]{2}/.test(s);
        if (forbidden) {
          expect(c).toBe('rejected');
          return;
        }
        if (c === 'rejected') {
          // only dot segments escaping the root or Tomcat `..;` forms may still be refused
          expect(s).toMatch(/^\.\.?(;|$)/);
          return;
        }
        if (s === '.' || s === '..') return;
        const expected = bytes
          .map((b) =>
            /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
              ? String.fromCharCode(b)
              : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
          )
          .join('');
        expect(c.path).toBe(`/p/${expected}`);
      }),
      { numRuns: 3000 },
    );
  });
});
