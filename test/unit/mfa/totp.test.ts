import { describe, expect, it } from 'vitest';
import {
  buildOtpauthUri,
  DEFAULT_TOTP_PARAMS,
  encodeBase32,
  generateTotp,
  generateTotpSecret,
  verifyTotp,
} from '../../../src/mfa/totp.js';
import { qrDataUrl, qrSvg } from '../../../src/mfa/qr.js';
import type { TotpAlgorithm } from '../../../src/mfa/types.js';
import { isGatewayError } from '../../../src/core/index.js';

// RFC 6238 Appendix B: seeds are the ASCII strings below (20, 32 and 64 bytes).
const SEEDS: Record<TotpAlgorithm, string> = {
  sha1: '12345678901234567890',
  sha256: '12345678901234567890123456789012',
  sha512: '1234567890123456789012345678901234567890123456789012345678901234',
};

// [time (s), SHA-1, SHA-256, SHA-512], 8 digits.
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

const ALGS: TotpAlgorithm[] = ['sha1', 'sha256', 'sha512'];

describe('TOTP against RFC 6238 Appendix B', () => {
  for (const [time, ...codes] of VECTORS) {
    ALGS.forEach((algorithm, i) => {
      const expected = codes[i]!;
      const secret = encodeBase32(Buffer.from(SEEDS[algorithm], 'ascii'));
      const params = { algorithm, digits: 8, period: 30, window: 0 };
      it(`${algorithm} at T=${time} generates ${expected}`, async () => {
        expect(await generateTotp(secret, params, time * 1000)).toBe(expected);
      });
      it(`${algorithm} at T=${time} verifies ${expected} and returns step ${Math.floor(time / 30)}`, async () => {
        expect(await verifyTotp(expected, secret, params, time * 1000)).toBe(Math.floor(time / 30));
      });
    });
  }
});

describe('verifyTotp', () => {
  const secret = generateTotpSecret();
  const p = DEFAULT_TOTP_PARAMS;
  const now = Date.UTC(2026, 0, 1, 12, 0, 15);
  const step = Math.floor(now / 1000 / 30);

  it('accepts the previous and next step with window 1, not two steps away', async () => {
    const prev = await generateTotp(secret, p, now - 30_000);
    const next = await generateTotp(secret, p, now + 30_000);
    const far = await generateTotp(secret, p, now - 60_000);
    expect(await verifyTotp(prev, secret, p, now)).toBe(step - 1);
    expect(await verifyTotp(next, secret, p, now)).toBe(step + 1);
    if (far !== prev && far !== next && far !== (await generateTotp(secret, p, now))) {
      expect(await verifyTotp(far, secret, p, now)).toBeNull();
    }
  });

  it('accepts only the current step with window 0', async () => {
    const prev = await generateTotp(secret, p, now - 30_000);
    const cur = await generateTotp(secret, p, now);
    expect(await verifyTotp(cur, secret, { ...p, window: 0 }, now)).toBe(step);
    if (prev !== cur) expect(await verifyTotp(prev, secret, { ...p, window: 0 }, now)).toBeNull();
  });

  it('returns null for malformed input instead of throwing', async () => {
    expect(await verifyTotp('', secret, p, now)).toBeNull();
    expect(await verifyTotp('12345', secret, p, now)).toBeNull();
    expect(await verifyTotp('1234567', secret, p, now)).toBeNull();
    expect(await verifyTotp('12a456', secret, p, now)).toBeNull();
  });

  it('ignores spaces users type between digit groups', async () => {
    const cur = await generateTotp(secret, p, now);
    expect(await verifyTotp(`${cur.slice(0, 3)} ${cur.slice(3)}`, secret, p, now)).toBe(step);
  });
});

describe('generateTotpSecret', () => {
  it('returns 160 random bits as unpadded Base32', () => {
    const a = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(generateTotpSecret()).not.toBe(a);
  });
});

describe('buildOtpauthUri', () => {
  it('builds a Key Uri Format URI with issuer, algorithm, digits and period', () => {
    const uri = new URL(
      buildOtpauthUri({
        issuer: 'ACME Corp',
        account: 'jane@example.com',
        secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
        algorithm: 'sha256',
        digits: 8,
        period: 60,
      }),
    );
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/ACME Corp:jane@example.com');
    expect(uri.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(uri.searchParams.get('issuer')).toBe('ACME Corp');
    expect(uri.searchParams.get('algorithm')).toBe('SHA256');
    expect(uri.searchParams.get('digits')).toBe('8');
    expect(uri.searchParams.get('period')).toBe('60');
  });

  it('refuses an issuer with a colon and neutralises colons in the account', () => {
    const base = { secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', algorithm: 'sha1', digits: 6, period: 30 } as const;
    let err: unknown;
    try {
      buildOtpauthUri({ ...base, issuer: 'a:b', account: 'x' });
    } catch (e) {
      err = e;
    }
    expect(isGatewayError(err, 'ERR_CONFIG_INVALID')).toBe(true);
    const uri = buildOtpauthUri({ ...base, issuer: 'Gatehouse', account: 'x:y' });
    expect(decodeURIComponent(new URL(uri).pathname)).toBe('/Gatehouse:x-y');
  });
});

describe('QR rendering', () => {
  it('renders a PNG data URL and an SVG document', async () => {
    const uri = 'otpauth://totp/Gatehouse:jane?secret=GEZDGNBVGY3TQOJQ&issuer=Gatehouse';
    expect(await qrDataUrl(uri)).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const svg = await qrSvg(uri);
    expect(svg).toContain('<svg');
    expect(svg).toContain('</svg>');
  });
});
