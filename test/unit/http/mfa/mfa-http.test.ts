import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isGatewayError, type Identity } from '../../../../src/core/index.js';
import { createRedirectScope } from '../../../../src/http/index.js';
import type { GatewayRuntime } from '../../../../src/http/runtime.js';
import { applyTrustedIdpMfa, idpDidMfa } from '../../../../src/http/mfa/trusted-idp-mfa.js';
import { checkCsrf, identityWithMfa } from '../../../../src/http/mfa/mfa-session.js';
import {
  enrollBody,
  lockoutBody,
  recoveryCodesBody,
  verifyBody,
} from '../../../../src/http/mfa/mfa-pages.js';
import { readForm } from '../../../../src/http/mfa/form.js';
import type { SessionRecord } from '../../../../src/session/index.js';

const identity: Identity = {
  issuer: 'https://idp.example',
  sub: 's1',
  user: 's1',
  groups: [],
  roles: [],
  amr: ['pwd'],
  authTime: 1_700_000_000,
  claims: {},
};
const trust = { amr: ['mfa', 'otp', 'hwk', 'swk'], acr: ['urn:example:loa:3'] };

describe('trust_idp_mfa', () => {
  it.each([
    [['pwd'], undefined, false],
    [['pwd', 'otp'], undefined, true],
    [['hwk'], undefined, true],
    [['pwd'], 'urn:example:loa:3', true],
    [['pwd'], 'urn:example:loa:1', false],
  ] as const)('amr %j acr %s → %s', (amr, acr, expected) => {
    const id = { ...identity, amr, ...(acr === undefined ? {} : { acr }) };
    expect(idpDidMfa(id, trust)).toBe(expected);
    expect(applyTrustedIdpMfa(id, trust).mfaTime).toBe(expected ? identity.authTime : undefined);
  });

  it('does not count the IdP MFA when not trusted, or without auth_time', () => {
    const id = { ...identity, amr: ['mfa'] };
    expect(applyTrustedIdpMfa(id, undefined)).toBe(id);
    const { authTime: _a, ...noTime } = id;
    expect(applyTrustedIdpMfa(noTime, trust).mfaTime).toBeUndefined();
  });

  it('records Gatehouse MFA as otp in amr and the time in mfaTime', () => {
    const after = identityWithMfa(identity, 1_700_000_100);
    expect(after.amr).toEqual(['pwd', 'otp']);
    expect(after.mfaTime).toBe(1_700_000_100);
    expect(identityWithMfa(after, 1_700_000_200).amr).toEqual(['pwd', 'otp']);
  });
});

describe('CSRF check', () => {
  const rt = {
    redirectScope: createRedirectScope(new URL('https://gw.example'), ['app.example']),
  } as unknown as GatewayRuntime;
  const session = { data: { mfa: { csrf: 'token-abc' } } } as unknown as SessionRecord;
  const req = (origin?: string) =>
    ({ headers: origin === undefined ? {} : { origin } }) as unknown as IncomingMessage;
  const refused = (r: IncomingMessage, s: SessionRecord, token: string | null): boolean => {
    try {
      checkCsrf(r, rt, s, token);
      return false;
    } catch (e) {
      return isGatewayError(e, 'ERR_ACCESS_DENIED');
    }
  };

  it('accepts the session token from a served origin, or without a meaningful Origin', () => {
    expect(refused(req('https://gw.example'), session, 'token-abc')).toBe(false);
    expect(refused(req('https://app.example'), session, 'token-abc')).toBe(false);
    expect(refused(req(), session, 'token-abc')).toBe(false);
    expect(refused(req('null'), session, 'token-abc')).toBe(false);
  });

  it('refuses a wrong, missing or foreign-origin token, and sessions without a token', () => {
    expect(refused(req(), session, 'token-abd')).toBe(true);
    expect(refused(req(), session, null)).toBe(true);
    expect(refused(req(), session, '')).toBe(true);
    expect(refused(req('https://evil.example'), session, 'token-abc')).toBe(true);
    expect(refused(req('javascript:alert(1)'), session, 'token-abc')).toBe(true);
    const none = { data: {} } as unknown as SessionRecord;
    expect(refused(req(), none, '')).toBe(true);
  });
});

describe('MFA pages', () => {
  const base = {
    action: '/.gatehouse/mfa/verify',
    csrf: 'c"<>',
    rd: 'https://gw.example/a?b=1&c="x"',
  };

  it('escapes every value they show', () => {
    const html = enrollBody(base, {
      qrDataUrl: 'data:image/png;base64,AAA"onerror="x',
      secret: 'ABCDEFGH',
      issuer: 'Corp',
      account: '<script>alert(1)</script>@example.com',
      digits: 6,
      period: 30,
      algorithm: 'sha1',
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('value="c&quot;&lt;&gt;"');
    expect(html).toContain('AAA&quot;onerror=&quot;x');
    expect(verifyBody(base, 6, '<b>')).toContain('&lt;b&gt;');
    expect(recoveryCodesBody(['<i>'], 'h', 'i', 'https://gw.example/?a=1&b=2')).toContain(
      'href="https://gw.example/?a=1&amp;b=2"',
    );
  });

  it('says how many minutes the lockout lasts (rounded up)', () => {
    expect(lockoutBody(900, 'r')).toContain('Try again in 15 minutes');
    expect(lockoutBody(61, 'r')).toContain('Try again in 2 minutes');
    expect(lockoutBody(5, 'r')).toContain('Try again in 1 minute.');
  });
});

describe('readForm', () => {
  const request = (body: string, headers: Record<string, string>) =>
    Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as IncomingMessage;

  it('parses urlencoded forms and ignores other content types', async () => {
    const form = await readForm(
      request('code=123+456&csrf=a%26b', {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      }),
    );
    expect(form.get('code')).toBe('123 456');
    expect(form.get('csrf')).toBe('a&b');
    expect([
      ...(await readForm(request('{"code":"1"}', { 'content-type': 'application/json' }))).keys(),
    ]).toEqual([]);
  });

  it('refuses bodies over the limit', async () => {
    const err = await readForm(
      request('x'.repeat(100), { 'content-type': 'application/x-www-form-urlencoded' }),
      50,
    ).catch((e: unknown) => e);
    expect(isGatewayError(err, 'ERR_PAYLOAD_TOO_LARGE')).toBe(true);
    const declared = await readForm(request('', { 'content-length': '100000' }), 50).catch(
      (e: unknown) => e,
    );
    expect(isGatewayError(declared, 'ERR_PAYLOAD_TOO_LARGE')).toBe(true);
  });
});
