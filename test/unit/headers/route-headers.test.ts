import { describe, expect, it } from 'vitest';
import { compileRouteHeaders } from '../../../src/headers/index.js';
import { identity } from './identity-fixture.js';

describe('route header rules', () => {
  it('renders templates, sets fixed headers and removes client copies of every header it sets (any case, _ or -)', () => {
    const rules = compileRouteHeaders({
      templates: { 'X-Remote-User': '{{ preferred_username }}', 'X-Dept': '{{ claims.department }}', 'X-Missing': '{{ claims.nope }}' },
      setHeaders: { 'X-App-Mode': 'internal' },
      removeHeaders: ['X-Debug'],
    });
    const headers = rules.apply({ x_remote_user: 'mallory', 'x-app-mode': 'evil', 'X-DEBUG': '1', accept: '*/*' }, identity(), {});
    expect(headers).toEqual({ accept: '*/*', 'x-remote-user': 'alice', 'x-dept': 'R&D', 'x-missing': '', 'x-app-mode': 'internal' });
    expect(rules.templateNames).toEqual(['X-Remote-User', 'X-Dept', 'X-Missing']);
  });

  it('without an identity applies only set_headers, and still removes template headers clients send', () => {
    const rules = compileRouteHeaders({ templates: { 'X-Remote-User': '{{ user }}' }, setHeaders: { 'X-Fixed': 'yes' } });
    expect(rules.apply({ 'x-remote-user': 'mallory' }, undefined, {})).toEqual({ 'x-fixed': 'yes' });
  });

  it('sends Authorization: Basic from a claim and the secret (UTF-8), or nothing for a user it cannot encode', () => {
    const rules = compileRouteHeaders({ basicAuth: { user: '{{ preferred_username }}', password: 'pä:ss' } });
    expect(rules.setsAuthorization).toBe(true);
    expect(rules.apply({ authorization: 'Basic client' }, identity(), {}).authorization).toBe(
      `Basic ${Buffer.from('alice:pä:ss', 'utf8').toString('base64')}`,
    );
    for (const preferredUsername of ['a:b', '', 'bad\r\nname']) {
      const headers = rules.apply({ authorization: 'Basic client' }, identity({ preferredUsername }), {});
      expect(headers.authorization, JSON.stringify(preferredUsername)).toBeUndefined();
    }
  });

  it('passes the chosen token as Bearer only when the caller has one', () => {
    const id = compileRouteHeaders({ passToken: 'id_token' });
    expect(id.added(identity(), { accessToken: 'at', idToken: 'it.jwt.sig' })).toContainEqual(['authorization', 'Bearer it.jwt.sig']);
    expect(id.apply({ authorization: 'Bearer client' }, identity(), { accessToken: 'at' }).authorization).toBeUndefined();
    const at = compileRouteHeaders({ passToken: 'access_token' });
    expect(at.added(identity(), { accessToken: 'opaque-123' })).toContainEqual(['authorization', 'Bearer opaque-123']);
    expect(at.added(identity(), { accessToken: 'with space' })).toEqual([]);
  });

  it('strips cookies by name, case-insensitively, keeping the others', () => {
    const rules = compileRouteHeaders({ stripCookies: ['legacy_sso'] });
    expect(rules.apply({ cookie: 'a=1; LEGACY_SSO=x; legacy_sso=y; b=2' }, undefined, {}).cookie).toBe('a=1; b=2');
    expect(rules.apply({ cookie: 'legacy_sso=y' }, undefined, {})).toEqual({});
  });

  it.each([
    [{ templates: { 'X-A': '{{ nope }}' } }, /unknown expression/],
    [{ templates: { Host: 'x' } }, /cannot be set/],
    [{ templates: { 'X-Gatehouse-User': '{{ user }}' } }, /cannot be set/],
    [{ setHeaders: { 'Content-Length': '1' } }, /set_headers: this header cannot be set/],
    [{ setHeaders: { 'X-A': 'line\r\nbreak' } }, /control characters/],
    [{ setHeaders: { 'X-A': 'v' }, templates: { 'x_a': '{{ user }}' } }, /also set by headers/],
    [{ removeHeaders: ['bad header'] }, /remove_headers/],
    [{ stripCookies: ['a;b'] }, /strip_cookies/],
    [{ basicAuth: { user: '{{ user }}', password: 'p' }, setHeaders: { Authorization: 'x' } }, /Authorization is set by/],
    [{ basicAuth: { user: '{{ user', password: 'p' } }, /basic_auth.user/],
  ])('refuses invalid rules at load: %j', (rules, message) => {
    expect(() => compileRouteHeaders(rules)).toThrow(message);
  });
});
