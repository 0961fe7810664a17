import fc from 'fast-check';
import { parseSetCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import {
  createSessionCookieCodec,
  generateSessionId,
  isHttpsUrl,
} from '../../../src/session/index.js';

const attributes = (setCookie: string): string[] =>
  setCookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());

describe('createSessionCookieCodec', () => {
  const id = generateSessionId();

  it('uses __Host- with https and no cookie domain: Secure, Path=/, no Domain', () => {
    const codec = createSessionCookieCodec({ name: 'gatehouse_session', secure: true });
    expect(codec.name).toBe('__Host-gatehouse_session');
    const header = codec.serialize(id, 3600);
    expect(header.startsWith(`__Host-gatehouse_session=${id};`)).toBe(true);
    expect(attributes(header).sort()).toEqual(
      ['httponly', 'max-age=3600', 'path=/', 'samesite=lax', 'secure'].sort(),
    );
  });

  it('keeps the plain name and sets Domain when a cookie domain is configured', () => {
    const codec = createSessionCookieCodec({
      name: 'gatehouse_session',
      domain: '.example.com',
      secure: true,
    });
    expect(codec.name).toBe('gatehouse_session');
    const parsed = parseSetCookie(codec.serialize(id, 60));
    expect(parsed).toMatchObject({
      name: 'gatehouse_session',
      value: id,
      domain: '.example.com',
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      maxAge: 60,
    });
  });

  it('omits Secure and the prefix over plain http', () => {
    const codec = createSessionCookieCodec({ name: 'sid', secure: false });
    expect(codec.name).toBe('sid');
    const header = codec.serialize(id);
    expect(attributes(header).sort()).toEqual(['httponly', 'path=/', 'samesite=lax']);
  });

  it('clear() expires the same cookie with the same attributes', () => {
    const codec = createSessionCookieCodec({ name: 'sid', secure: true });
    const parsed = parseSetCookie(codec.clear());
    expect(parsed).toMatchObject({
      name: '__Host-sid',
      value: '',
      maxAge: 0,
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
    });
    expect(parsed.domain).toBeUndefined();
    expect(parsed.expires?.getTime()).toBe(0);
  });

  it('reads back the id it wrote, among other cookies', () => {
    const codec = createSessionCookieCodec({ name: 'sid', secure: true });
    const pair = codec.serialize(id, 10).split(';')[0]!;
    expect(codec.read(pair)).toBe(id);
    expect(codec.read(`a=1; ${pair}; b="x y"`)).toBe(id);
    // The unprefixed name is someone else's cookie once the prefix applies.
    expect(codec.read(`sid=${id}`)).toBeUndefined();
    expect(codec.read(`__Host-sid=${generateSessionId()}; ${pair}`)).not.toBe(id);
  });

  it('ignores missing, malformed or non-id values without throwing', () => {
    const codec = createSessionCookieCodec({ name: 'sid', secure: false });
    for (const header of [
      undefined,
      '',
      ';;;',
      'sid',
      'sid=',
      'sid=short',
      `sid=${id}x`,
      `sid="${id}"`,
      `sid=${id.slice(0, 42)}%`,
      '%%%=%%%; sid=%E0%A4%A',
      '\u0000sid=\u0001',
    ]) {
      expect(codec.read(header), JSON.stringify(header)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (header) => {
        const value = codec.read(header);
        expect(value === undefined || /^[A-Za-z0-9_-]{43}$/.test(value)).toBe(true);
      }),
    );
  });

  it('refuses a configured name that already carries a cookie prefix', () => {
    for (const name of ['__Host-sid', '__secure-sid']) {
      expect(() => createSessionCookieCodec({ name, secure: true })).toThrow(
        expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
      );
    }
  });

  it('refuses to serialise something that is not a session id', () => {
    const codec = createSessionCookieCodec({ name: 'sid', secure: true });
    expect(() => codec.serialize('x; Domain=evil.example')).toThrow(
      expect.objectContaining({ code: 'ERR_INTERNAL' }),
    );
  });
});

describe('isHttpsUrl', () => {
  it('is true for https URLs only', () => {
    expect(isHttpsUrl('https://gw.example.com/')).toBe(true);
    expect(isHttpsUrl('http://gw.example.com/')).toBe(false);
    expect(isHttpsUrl('not a url')).toBe(false);
  });
});
