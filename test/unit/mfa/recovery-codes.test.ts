import { describe, expect, it } from 'vitest';
import {
  createRecoveryCodeBatch,
  findRecoveryCode,
  generateRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_LENGTH,
} from '../../../src/mfa/recovery-codes.js';

describe('recovery codes', () => {
  it('are formatted xxxx-xxxx-xxxx from a 32-symbol alphabet (≥ 50 bits)', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    expect(RECOVERY_CODE_LENGTH * Math.log2(RECOVERY_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(50);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const c = generateRecoveryCode();
      expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
      seen.add(c);
    }
    expect(seen.size).toBe(200);
  });

  it('normalize what people type: case, spaces, dashes and look-alike letters', () => {
    expect(normalizeRecoveryCode('AB12-CD34-EF56')).toBe('ab12cd34ef56');
    expect(normalizeRecoveryCode(' ab12 cd34 ef56 ')).toBe('ab12cd34ef56');
    expect(normalizeRecoveryCode('OIL0-0000-0000')).toBe('011000000000');
    expect(normalizeRecoveryCode('123456')).toBeNull();
    expect(normalizeRecoveryCode('ab12-cd34-ef5u')).toBeNull();
    expect(normalizeRecoveryCode('ab12-cd34-ef567')).toBeNull();
  });

  it('are stored as salted hashes only and found again by their plaintext', async () => {
    const batch = await createRecoveryCodeBatch('alice', 1000, 3);
    expect(batch.codes).toHaveLength(3);
    for (const row of batch.stored) {
      expect(JSON.stringify(row)).not.toContain(normalizeRecoveryCode(batch.codes[0]!)!);
      expect(row.userKey).toBe('alice');
    }
    expect(new Set(batch.stored.map((r) => r.salt)).size).toBe(1);
    const hit = await findRecoveryCode(normalizeRecoveryCode(batch.codes[1]!.toUpperCase())!, batch.stored);
    expect(hit?.id).toBe(batch.stored[1]!.id);
    expect(await findRecoveryCode(normalizeRecoveryCode(generateRecoveryCode())!, batch.stored)).toBeUndefined();
  });

  it('two batches of the same user use different salts', async () => {
    const a = await createRecoveryCodeBatch('alice', 1000, 1);
    const b = await createRecoveryCodeBatch('alice', 1000, 1);
    expect(a.stored[0]!.salt).not.toBe(b.stored[0]!.salt);
    expect(await findRecoveryCode(normalizeRecoveryCode(a.codes[0]!)!, b.stored)).toBeUndefined();
  });
});
