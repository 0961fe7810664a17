import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  attemptLimitsFromConfig,
  createSecretBox,
  keyringFromConfig,
  mfaConfigSchema,
  openFactorStore,
  totpParamsFromConfig,
} from '../../../src/mfa/index.js';

const key = randomBytes(32).toString('base64');

function issues(input: unknown): string[] {
  const r = mfaConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('mfa config schema', () => {
  it('fills defaults: SQLite store, SHA-1/6 digits/30 s/±1, 5 per user and 20 per IP in 15 min', () => {
    const cfg = mfaConfigSchema.parse({ encryption_keys: { k1: key }, current_key_id: 'k1' });
    expect(cfg).toEqual({
      issuer: 'Gatehouse',
      store: { sqlite: { file: '.gatehouse-data/mfa.db' } },
      encryption_keys: { k1: key },
      current_key_id: 'k1',
      totp: { algorithm: 'sha1', digits: 6, period: 30, window: 1 },
      enrollment_timeout: 600,
      fresh_mfa_max_age: 300,
      attempts: { max_per_user: 5, max_per_ip: 20, interval: 900, lockout: 900 },
    });
    expect(attemptLimitsFromConfig(cfg)).toEqual({ maxPerUser: 5, maxPerIp: 20, intervalSeconds: 900, blockSeconds: 900 });
    expect(totpParamsFromConfig(cfg)).toEqual({ algorithm: 'sha1', digits: 6, period: 30, window: 1 });
    const box = createSecretBox(keyringFromConfig(cfg));
    expect(box.open(box.seal('x', 'y'), 'y')).toBe('x');
  });

  it('accepts PostgreSQL and duration strings', () => {
    const cfg = mfaConfigSchema.parse({
      store: { postgres: { url: 'postgres://gh@db:5432/gatehouse' } },
      encryption_keys: { old: key, new: randomBytes(32).toString('hex') },
      current_key_id: 'new',
      totp: { algorithm: 'sha256', digits: 8, period: '1m', window: 0 },
      attempts: { interval: '30m', lockout: '1h' },
    });
    expect(cfg.store).toEqual({ postgres: { url: 'postgres://gh@db:5432/gatehouse', schema: 'gatehouse_mfa' } });
    expect(cfg.totp.period).toBe(60);
    expect(cfg.attempts).toEqual({ max_per_user: 5, max_per_ip: 20, interval: 1800, lockout: 3600 });
  });

  it('refuses to configure MFA without a usable key, naming the key but not echoing it', () => {
    expect(issues({ current_key_id: 'k1' })[0]).toMatch(/^encryption_keys:/);
    expect(issues({ encryption_keys: {}, current_key_id: 'k1' }).join('\n')).toContain('at least one encryption key');
    const short = randomBytes(16).toString('base64');
    const out = issues({ encryption_keys: { k1: short }, current_key_id: 'k1' });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^encryption_keys\.k1: .*32 bytes/);
    expect(out[0]).not.toContain(short);
    expect(issues({ encryption_keys: { k1: key }, current_key_id: 'k2' })).toEqual([
      'current_key_id: "k2" is not one of encryption_keys (k1)',
    ]);
  });

  it('rejects ambiguous stores, bad values and unknown keys', () => {
    const base = { encryption_keys: { k1: key }, current_key_id: 'k1' };
    expect(issues({ ...base, store: { sqlite: { file: 'a' }, postgres: { url: 'postgres://x/y' } } })).toEqual([
      'store: set exactly one of sqlite or postgres',
    ]);
    expect(issues({ ...base, store: { postgres: { url: 'mysql://x', schema: 'Bad-Name' } } })).toHaveLength(2);
    expect(issues({ ...base, issuer: 'a:b' })).toEqual(['issuer: must not contain ":"']);
    expect(issues({ ...base, totp: { digits: 5 } })).toHaveLength(1);
    expect(issues({ ...base, totp: { period: '10m' } })).toHaveLength(1);
    expect(issues({ ...base, attempts: { max_per_user: 0 } })).toHaveLength(1);
    expect(issues({ ...base, extra: true })).toHaveLength(1);
  });

  it('openFactorStore opens the configured SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mfa-cfg-'));
    try {
      const cfg = mfaConfigSchema.parse({ store: { sqlite: { file: join(dir, 'm.db') } }, encryption_keys: { k1: key }, current_key_id: 'k1' });
      const store = await openFactorStore(cfg);
      await store.ping();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
