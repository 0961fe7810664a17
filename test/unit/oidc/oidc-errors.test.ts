import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/core/index.js';
import { safeOauthError, toOidcError } from '../../../src/oidc/oidc-errors.js';

const ISS = 'https://idp.example.com';

describe('toOidcError', () => {
  const refused = new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
  });
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');

  it.each([
    ['discovery', refused, 'ERR_OIDC_DISCOVERY_FAILED', 'unreachable (ECONNREFUSED)'],
    ['discovery', timeout, 'ERR_OIDC_DISCOVERY_FAILED', 'timed out'],
    ['callback', refused, 'ERR_OIDC_PROVIDER_ERROR', 'unreachable'],
    ['userinfo', timeout, 'ERR_OIDC_PROVIDER_ERROR', 'timed out'],
    ['refresh', refused, 'ERR_OIDC_REFRESH_FAILED', 'refreshing the session failed'],
  ] as const)('%s: transport failure → %s', (step, err, code, text) => {
    const mapped = toOidcError(err, step, ISS);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain(text);
    expect((mapped.cause as Error).message).toBe(err.message);
    expect((mapped.cause as Error).cause).toBeUndefined();
  });

  it('passes GatewayErrors through', () => {
    const e = new GatewayError('ERR_OIDC_STATE_MISMATCH', 'x');
    expect(toOidcError(e, 'callback', ISS)).toBe(e);
  });

  it('marks transport refresh failures as unavailable', () => {
    expect(toOidcError(refused, 'refresh', ISS).details?.reason).toBe('unavailable');
  });

  it('never exposes 5xx provider errors', () => {
    expect(toOidcError(new Error('secret internals'), 'callback', ISS).expose).toBe(false);
  });
});

describe('safeOauthError', () => {
  it.each([
    ['access_denied', 'access_denied'],
    ['invalid_grant', 'invalid_grant'],
    ['<script>', 'error'],
    ['a'.repeat(65), 'error'],
    [undefined, 'error'],
    [42, 'error'],
  ])('%j → %s', (input, expected) => {
    expect(safeOauthError(input)).toBe(expected);
  });
});
