import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/core/index.js';
import { createHeaderShaper } from '../../../src/headers/index.js';
import { IDENTITY_HEADERS, identity } from './identity-fixture.js';

const shaper = createHeaderShaper({
  identityHeaders: IDENTITY_HEADERS,
  extraStripped: ['X-Remote-Department'],
  gatewayCookieNames: ['gatehouse_session', 'gatehouse_state'],
});

const OWNED = [
  'X-Forwarded-User',
  'X-Forwarded-Email',
  'X-Forwarded-Preferred-Username',
  'X-Forwarded-Groups',
  'X-Gatehouse-Assertion',
  'X-Gatehouse-Anything-Else',
  'X-Remote-Department',
  'X-Forwarded-For',
  'X-Forwarded-Proto',
  'X-Forwarded-Host',
  'X-Forwarded-Port',
  'X-Real-IP',
  'Forwarded',
];
const REWRITE = [
  'X-Original-URL',
  'X-Rewrite-URL',
  'X-Forwarded-Prefix',
  'X-HTTP-Method-Override',
  'X-HTTP-Method',
  'X-Method-Override',
];

/** A variant of a header name: each letter in random case, each `-` as `-` or `_`. */
function variant(name: string): fc.Arbitrary<string> {
  return fc
    .tuple(...Array.from(name).map((ch) => (ch === '-' ? fc.constantFrom('-', '_') : fc.constantFrom(ch.toLowerCase(), ch.toUpperCase()))))
    .map((chars) => chars.join(''));
}

describe('HeaderShaper.strip', () => {
  describe.each(OWNED)('removes %s in every spelling', (name) => {
    it.each([name, name.toLowerCase(), name.toUpperCase(), name.toLowerCase().replaceAll('-', '_'), name.replaceAll('-', '_')])(
      '%s',
      (spelling) => {
        const out = shaper.strip({ [spelling]: 'forged', accept: 'text/html' }, { allowRewriteHeaders: true });
        expect(out).toEqual({ accept: 'text/html' });
      },
    );
  });

  it('property: any case/underscore variant of an owned or rewrite header is removed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OWNED, ...REWRITE).chain(variant), (spelling) => {
        const out = shaper.strip({ [spelling]: 'forged', 'x-app': 'keep' }, { allowRewriteHeaders: false });
        expect(out).toEqual({ 'x-app': 'keep' });
      }),
    );
  });

  it('removes the URL-rewrite headers unless the route allows them', () => {
    for (const name of REWRITE) {
      const spelling = name.toLowerCase().replaceAll('-', '_');
      expect(shaper.strip({ [spelling]: '/admin' }, { allowRewriteHeaders: false })).toEqual({});
      expect(shaper.strip({ [spelling]: '/admin' }, { allowRewriteHeaders: true })).toEqual({ [spelling]: '/admin' });
    }
  });

  it('honours a custom assertion header and custom identity header names', () => {
    const custom = createHeaderShaper({
      identityHeaders: { user: 'Remote-User', email: 'Remote-Email', preferred_username: 'Remote-Name', groups: 'Remote-Groups' },
      assertionHeader: 'X-Identity-Jwt',
      gatewayCookieNames: [],
    });
    const out = custom.strip(
      { remote_user: 'root', 'REMOTE-EMAIL': 'x', 'x-identity-jwt': 'forged', x_forwarded_user: 'kept: not ours here' },
      { allowRewriteHeaders: false },
    );
    expect(out).toEqual({ x_forwarded_user: 'kept: not ours here' });
  });

  it('keeps other headers as they are and returns a new object', () => {
    const input: IncomingHttpHeaders = { host: 'app.example.com', accept: '*/*', 'x-forwarded-user': 'mallory', 'set-cookie': ['a=1'] };
    const out = shaper.strip(input, { allowRewriteHeaders: false });
    expect(out).toEqual({ host: 'app.example.com', accept: '*/*', 'set-cookie': ['a=1'] });
    expect(out).not.toBe(input);
    expect(input['x-forwarded-user']).toBe('mallory');
  });

  it('keeps a header literally named __proto__ as data, not as the prototype', () => {
    const input = JSON.parse('{"__proto__":"x","accept":"*/*"}') as IncomingHttpHeaders;
    const out = shaper.strip(input, { allowRewriteHeaders: false });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'accept']);
  });

  it('removes the gateway cookies and keeps the others byte for byte', () => {
    const out = shaper.strip(
      { cookie: 'theme=dark; gatehouse_session=s3cr3t; csrf="a=b"; GATEHOUSE_STATE=x; lang=de%20DE' },
      { allowRewriteHeaders: false },
    );
    expect(out.cookie).toBe('theme=dark; csrf="a=b"; lang=de%20DE');
  });

  it('drops the cookie header when only gateway cookies were sent', () => {
    const out = shaper.strip({ cookie: 'gatehouse_session=s3cr3t', accept: '*/*' }, { allowRewriteHeaders: false });
    expect(out).toEqual({ accept: '*/*' });
  });

  it('rejects an invalid configured header name', () => {
    expect(() =>
      createHeaderShaper({ identityHeaders: { ...IDENTITY_HEADERS, user: 'X User' }, gatewayCookieNames: [] }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });
});

describe('HeaderShaper.inject', () => {
  it('sets user, email, preferred username and comma-joined groups', () => {
    const out = shaper.inject({ accept: '*/*' }, identity({ user: 'u-1', preferredUsername: 'alice' }));
    expect(out).toEqual({
      accept: '*/*',
      'x-forwarded-user': 'u-1',
      'x-forwarded-email': 'alice@example.com',
      'x-forwarded-preferred-username': 'alice',
      'x-forwarded-groups': 'staff,admins',
    });
  });

  it('replaces a forged identity header even when strip was skipped (any spelling)', () => {
    const out = shaper.inject({ X_Forwarded_User: 'root', 'x-forwarded-groups': 'admins' }, identity({ groups: [] }));
    expect(out).toEqual({
      'x-forwarded-user': 'alice',
      'x-forwarded-email': 'alice@example.com',
      'x-forwarded-preferred-username': 'alice',
    });
  });

  it('cannot be used for header injection: CR/LF values are not sent, hostile groups are left out', () => {
    const hostile = identity({
      user: 'alice\r\nX-Forwarded-Groups: admins',
      email: 'a@b.c\nx',
      preferredUsername: ' admin',
      groups: ['staff', 'x\r\nSet-Cookie: a=b', 'staff,admins', 'dev'],
    });
    const out = shaper.inject({}, hostile);
    expect(out).toEqual({ 'x-forwarded-groups': 'staff,dev' });
    for (const v of Object.values(out)) expect(String(v)).not.toMatch(/[\r\n]/);
  });

  it('omits absent optional values', () => {
    const { email: _e, preferredUsername: _p, ...rest } = identity();
    expect(Object.keys(shaper.inject({}, { ...rest, groups: [] }))).toEqual(['x-forwarded-user']);
  });

  it('reuses the values computed for the same Identity object', () => {
    const id = identity();
    const a = shaper.inject({}, id);
    const b = shaper.inject({}, id);
    expect(b).toEqual(a);
    // A different identity object gets its own values.
    expect(shaper.inject({}, identity({ user: 'bob' }))['x-forwarded-user']).toBe('bob');
  });

  it('delivers non-ASCII values to a real upstream as UTF-8 octets', async () => {
    const server = createServer((req, res) => {
      res.end(JSON.stringify(req.headers));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const headers = shaper.inject({}, identity({ preferredUsername: 'José', groups: ['équipe'] }));
      const req = request({ host: '127.0.0.1', port, headers: headers as Record<string, string> });
      req.end();
      const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream];
      let body = '';
      for await (const chunk of res) body += String(chunk);
      const received = JSON.parse(body) as Record<string, string>;
      // Node decodes header bytes as Latin-1; re-reading them as UTF-8 yields the name.
      expect(Buffer.from(received['x-forwarded-preferred-username']!, 'latin1').toString('utf8')).toBe('José');
      expect(Buffer.from(received['x-forwarded-groups']!, 'latin1').toString('utf8')).toBe('équipe');
    } finally {
      server.close();
    }
  });

  it('is not fooled by invalid config: error code is stable', () => {
    try {
      createHeaderShaper({ identityHeaders: IDENTITY_HEADERS, extraStripped: ['bad header'], gatewayCookieNames: [] });
      expect.unreachable();
    } catch (error) {
      expect(isGatewayError(error, 'ERR_CONFIG_INVALID')).toBe(true);
    }
  });
});

describe('HeaderShaper cookie prefixes (per-login state cookies)', () => {
  it('removes every cookie whose name starts with a gateway prefix, keeps look-alikes that do not', () => {
    const shaper = createHeaderShaper({
      identityHeaders: IDENTITY_HEADERS,
      gatewayCookieNames: ['gatehouse_session'],
      gatewayCookiePrefixes: ['gatehouse_session_flow_', '__Host-gatehouse_session_flow_'],
    });
    const out = shaper.strip(
      { cookie: 'a=1; gatehouse_session_flow_abc123=x; __Host-gatehouse_session_flow_ff=y; gatehouse_sessionX=keep; b=2' },
      { allowRewriteHeaders: false },
    );
    expect(out.cookie).toBe('a=1; gatehouse_sessionX=keep; b=2');
  });
});
