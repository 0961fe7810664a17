import { randomBytes } from 'node:crypto';
import { generate, generateURI, ScureBase32Plugin, verify } from 'otplib';
import { GatewayError } from '../core/index.js';
import type { TotpParams } from './types.js';

const base32 = new ScureBase32Plugin();

/** Defaults every authenticator app supports: SHA-1, 6 digits, 30-second steps, ±1 step. */
export const DEFAULT_TOTP_PARAMS: TotpParams = Object.freeze({
  algorithm: 'sha1',
  digits: 6,
  period: 30,
  window: 1,
});

/**
 * A new random TOTP secret, Base32 encoded (RFC 4648 §6, no padding) as authenticator apps expect.
 * @param bytes secret length in bytes; default 20 (160 bits, RFC 4226 §4 R6 recommends ≥ 128, better 160).
 * @see RFC 4226 §4, RFC 6238 §5.1
 */
export function generateTotpSecret(bytes = 20): string {
  return base32.encode(randomBytes(bytes)).replace(/=+$/, '');
}

/** Base32 (RFC 4648 §6) of raw bytes, without padding (tests and tooling). */
export function encodeBase32(bytes: Uint8Array): string {
  return base32.encode(bytes).replace(/=+$/, '');
}

/** Input to {@link buildOtpauthUri}. */
export interface OtpauthUriInput {
  /** Service name shown in the app (e.g. `Gatehouse`); must not contain `:`. */
  readonly issuer: string;
  /** The user's account name shown in the app (e.g. an email); `:` is replaced by `-`. */
  readonly account: string;
  /** Base32 secret. */
  readonly secret: string;
  readonly algorithm: TotpParams['algorithm'];
  readonly digits: number;
  /** Seconds. */
  readonly period: number;
}

/**
 * The `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=…&digits=…&period=…` URI
 * authenticator apps scan from a QR code.
 * @throws GatewayError `ERR_CONFIG_INVALID` when the issuer contains `:` (ambiguous label).
 * @see https://github.com/google/google-authenticator/wiki/Key-Uri-Format
 */
export function buildOtpauthUri(input: OtpauthUriInput): string {
  if (input.issuer.includes(':')) {
    throw new GatewayError('ERR_CONFIG_INVALID', 'mfa.issuer must not contain ":" (otpauth label separator)');
  }
  return generateURI({
    issuer: input.issuer,
    label: input.account.replaceAll(':', '-'),
    secret: input.secret,
    algorithm: input.algorithm,
    digits: input.digits,
    period: input.period,
  });
}

/**
 * The TOTP code of `secret` at `nowMs` (tests, tooling and the demo).
 * @param nowMs milliseconds since the epoch.
 * @see RFC 6238 §4.2
 */
export async function generateTotp(
  secret: string,
  params: Pick<TotpParams, 'algorithm' | 'digits' | 'period'>,
  nowMs: number,
): Promise<string> {
  return generate({
    secret,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
    epoch: Math.floor(nowMs / 1000),
  });
}

/**
 * Checks a TOTP code against `secret` at `nowMs`, accepting `params.window` steps either side.
 * Comparison is constant time (otplib).
 * @param code the code the user typed (spaces are ignored).
 * @param nowMs milliseconds since the epoch.
 * @returns the matched time step `T = floor(unixTime / period)` (store it for replay protection),
 *   or `null` when the code does not match or is not `digits` digits.
 * @see RFC 6238 §4.2 (T), §5.2 (validation window, no reuse)
 */
export async function verifyTotp(code: string, secret: string, params: TotpParams, nowMs: number): Promise<number | null> {
  const token = code.replace(/\s+/g, '');
  if (token.length !== params.digits || !/^\d+$/.test(token)) return null;
  const result = await verify({
    secret,
    token,
    algorithm: params.algorithm,
    digits: params.digits,
    period: params.period,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: params.window * params.period,
  });
  // The functional API's result type also covers HOTP (no timeStep); TOTP always sets it.
  if (!result.valid || !('timeStep' in result) || typeof result.timeStep !== 'number') return null;
  return result.timeStep;
}
