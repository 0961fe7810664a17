import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError, ManualClock } from '../../../src/core/index.js';
import {
  createAttemptLimiter,
  createKeyring,
  createMfaService,
  createSecretBox,
  createSqliteFactorStore,
  generateTotp,
  type AttemptLimiter,
  type FactorStore,
  type MfaAuditEvent,
  type MfaService,
  type SecretBox,
} from '../../../src/mfa/index.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-mfa-svc-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const IP = '203.0.113.5';
const PARAMS = { algorithm: 'sha1', digits: 6, period: 30 } as const;

interface Ctx {
  file: string;
  clock: ManualClock;
  store: FactorStore;
  limiter: AttemptLimiter;
  box: SecretBox;
  events: MfaAuditEvent[];
  svc: MfaService;
  opened: FactorStore[];
}

let seq = 0;
let ctx: Ctx;

async function serviceOn(
  file: string,
  clock: ManualClock,
  events: MfaAuditEvent[],
  keys: { current: string; keys: Record<string, string> } = { current: 'k1', keys: { k1: K1 } },
  limiter: AttemptLimiter = createAttemptLimiter({ kind: 'memory' }),
): Promise<{ store: FactorStore; svc: MfaService; box: SecretBox }> {
  const store = await createSqliteFactorStore({ file });
  ctx.opened.push(store);
  const box = createSecretBox(createKeyring(keys.current, keys.keys));
  const svc = createMfaService({ store, secretBox: box, clock, limiter, issuer: 'Gatehouse', audit: (e) => events.push(e) });
  return { store, svc, box };
}

beforeEach(async () => {
  const file = join(tmp, `svc-${++seq}.db`);
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9, 0, 10));
  const events: MfaAuditEvent[] = [];
  const limiter = createAttemptLimiter({ kind: 'memory' });
  ctx = { file, clock, events, limiter, opened: [] } as unknown as Ctx;
  const { store, svc, box } = await serviceOn(file, clock, events, undefined, limiter);
  Object.assign(ctx, { store, svc, box });
});

afterEach(async () => {
  for (const s of ctx.opened) await s.close();
});

/** Enrolls alice and returns her secret and recovery codes; the clock moves to the next step. */
async function enroll(userKey = 'alice'): Promise<{ secret: string; factorId: string; recoveryCodes: readonly string[] }> {
  const start = await ctx.svc.beginEnrollment(userKey, `${userKey}@example.com`);
  const r = await ctx.svc.confirmEnrollment(userKey, start.factorId, await generateTotp(start.secret, PARAMS, ctx.clock.now()), IP);
  if (!r.ok) throw new Error(`enrollment failed: ${r.reason}`);
  ctx.clock.advance(30_000);
  return { secret: start.secret, factorId: start.factorId, recoveryCodes: r.recoveryCodes };
}

const codeNow = (secret: string): Promise<string> => generateTotp(secret, PARAMS, ctx.clock.now());

/** Every secret, code and recovery code seen, to check that none reaches an audit event. */
function assertNoSecretsInAudit(secrets: readonly string[]): void {
  const dump = JSON.stringify(ctx.events);
  for (const s of secrets) expect(dump).not.toContain(s);
}

describe('enrollment', () => {
  it('shows secret, otpauth URI and QR; the factor is active only after a valid code', async () => {
    const start = await ctx.svc.beginEnrollment('alice', 'alice@example.com');
    expect(start.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(start.otpauthUri).toContain(`secret=${start.secret}`);
    expect(start.otpauthUri).toContain('issuer=Gatehouse');
    expect(start.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(await ctx.svc.hasActiveFactor('alice')).toBe(false);
    expect((await ctx.svc.listFactors('alice')).map((f) => f.status)).toEqual(['pending']);

    const bad = await ctx.svc.confirmEnrollment('alice', start.factorId, '000000', IP);
    const good = await codeNow(start.secret);
    if (good !== '000000') expect(bad).toEqual({ ok: false, reason: 'invalid' });
    expect(await ctx.svc.hasActiveFactor('alice')).toBe(false);

    const ok = await ctx.svc.confirmEnrollment('alice', start.factorId, good, IP);
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.recoveryCodes).toHaveLength(10);
    expect(new Set(ok.recoveryCodes).size).toBe(10);
    for (const c of ok.recoveryCodes) expect(c).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    expect(await ctx.svc.hasActiveFactor('alice')).toBe(true);
    expect(await ctx.svc.countRecoveryCodes('alice')).toBe(10);
    const [summary] = await ctx.svc.listFactors('alice');
    expect(summary).toMatchObject({ id: start.factorId, status: 'active', label: 'alice@example.com', keyId: 'k1' });
    expect(summary).not.toHaveProperty('secret');
    expect(ctx.events.map((e) => e.type)).toEqual(['mfa.enrollment_started', 'mfa.failed', 'mfa.enrolled'].filter(
      (t) => good !== '000000' || t !== 'mfa.failed',
    ));
    assertNoSecretsInAudit([start.secret, good, ...ok.recoveryCodes]);
  });

  it('stores the TOTP secret encrypted, never in plaintext', async () => {
    const { secret } = await enroll();
    const db = new Database(ctx.file, { readonly: true });
    const row = db.prepare('SELECT secret, key_id FROM mfa_factors').get() as { secret: string; key_id: string };
    db.close();
    expect(row.key_id).toBe('k1');
    expect(row.secret).not.toContain(secret);
    expect(readFileSync(ctx.file).includes(secret)).toBe(false);
  });

  it('refuses to confirm an enrollment after it expired', async () => {
    const start = await ctx.svc.beginEnrollment('alice', 'alice');
    ctx.clock.advance(601_000);
    const r = await ctx.svc.confirmEnrollment('alice', start.factorId, await codeNow(start.secret), IP);
    expect(r).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses to confirm another user’s pending factor', async () => {
    const start = await ctx.svc.beginEnrollment('alice', 'alice');
    const r = await ctx.svc.confirmEnrollment('mallory', start.factorId, await codeNow(start.secret), IP);
    expect(r).toEqual({ ok: false, reason: 'expired' });
  });

  it('the code used to confirm the enrollment cannot be replayed to verify', async () => {
    const start = await ctx.svc.beginEnrollment('alice', 'alice');
    const code = await codeNow(start.secret);
    expect((await ctx.svc.confirmEnrollment('alice', start.factorId, code, IP)).ok).toBe(true);
    expect(await ctx.svc.verify('alice', code, IP)).toEqual({ ok: false, reason: 'replayed' });
  });
});

describe('verify', () => {
  it('accepts a current code, refuses the same code a second time (replay)', async () => {
    const { secret, factorId } = await enroll();
    const code = await codeNow(secret);
    expect(await ctx.svc.verify('alice', code, IP)).toEqual({ ok: true, method: 'otp', factorId });
    expect(await ctx.svc.verify('alice', code, IP)).toEqual({ ok: false, reason: 'replayed' });
    expect(ctx.events.filter((e) => e.type === 'mfa.failed').map((e) => e.reason)).toEqual(['replayed']);
  });

  it('refuses a replay on a second gateway instance sharing the store (across instances)', async () => {
    const { secret } = await enroll();
    const other = await serviceOn(ctx.file, ctx.clock, []);
    const code = await codeNow(secret);
    expect((await ctx.svc.verify('alice', code, IP)).ok).toBe(true);
    expect(await other.svc.verify('alice', code, '198.51.100.9')).toEqual({ ok: false, reason: 'replayed' });
  });

  it('accepts ±1 step of clock drift, not 2', async () => {
    const { secret } = await enroll();
    ctx.clock.advance(90_000); // away from the step used to confirm the enrollment
    const prev = await generateTotp(secret, PARAMS, ctx.clock.now() - 30_000);
    expect((await ctx.svc.verify('alice', prev, IP)).ok).toBe(true);
    const older = await generateTotp(secret, PARAMS, ctx.clock.now() - 60_000);
    const accepted = [prev, await codeNow(secret), await generateTotp(secret, PARAMS, ctx.clock.now() + 30_000)];
    if (!accepted.includes(older)) expect(await ctx.svc.verify('alice', older, IP)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses codes for a user without an active factor', async () => {
    expect(await ctx.svc.verify('nobody', '123456', IP)).toEqual({ ok: false, reason: 'invalid' });
    expect(await ctx.svc.verify('nobody', 'abcd-efgh-jkmn', IP)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('locks the user after 5 failures with retryAfter; a correct code is then refused; lock and failures are audited', async () => {
    const { secret } = await enroll();
    const wrong = (await codeNow(secret)) === '111111' ? '222222' : '111111';
    for (let i = 0; i < 4; i++) expect(await ctx.svc.verify('alice', wrong, IP)).toEqual({ ok: false, reason: 'invalid' });
    expect(await ctx.svc.verify('alice', wrong, IP)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 900 });
    const r = await ctx.svc.verify('alice', await codeNow(secret), IP);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('locked');
      expect(r.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(ctx.events.filter((e) => e.type === 'mfa.locked')).toEqual([
      { type: 'mfa.locked', userKey: 'alice', ip: IP, retryAfterSeconds: 900 },
    ]);
    expect(ctx.events.filter((e) => e.type === 'mfa.failed')).toHaveLength(6);
    // An operator reset lifts the lock.
    await ctx.svc.reset('alice', 'ops');
    expect(await ctx.svc.verify('alice', await codeNow(secret), IP)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('locks a client IP that tries many users', async () => {
    for (let i = 0; i < 19; i++) expect((await ctx.svc.verify(`user${i}`, '123456', IP)).ok).toBe(false);
    expect(await ctx.svc.verify('user19', '123456', IP)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 900 });
    expect((await ctx.svc.verify('user20', '123456', IP)) as { reason: string }).toMatchObject({ reason: 'locked' });
    expect((await ctx.svc.verify('user20', '123456', '198.51.100.1')) as { reason: string }).toMatchObject({ reason: 'invalid' });
  });

  it('a successful verification resets the per-user failure counter', async () => {
    const { secret } = await enroll();
    const wrong = (await codeNow(secret)) === '111111' ? '222222' : '111111';
    for (let i = 0; i < 4; i++) await ctx.svc.verify('alice', wrong, IP);
    expect((await ctx.svc.verify('alice', await codeNow(secret), IP)).ok).toBe(true);
    for (let i = 0; i < 4; i++) expect(await ctx.svc.verify('alice', wrong, IP)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('fails closed when the store is unavailable', async () => {
    await enroll();
    await ctx.store.close();
    await expect(ctx.svc.verify('alice', '123456', IP)).rejects.toSatisfy((e) => isGatewayError(e, 'ERR_MFA_STORE_UNAVAILABLE'));
  });
});

describe('recovery codes', () => {
  it('a recovery code works exactly once, in any reasonable spelling; its use is audited without the code', async () => {
    const { recoveryCodes, secret } = await enroll();
    const code = recoveryCodes[3]!;
    expect(await ctx.svc.verify('alice', code.toUpperCase().replaceAll('-', ' '), IP)).toEqual({ ok: true, method: 'recovery' });
    expect(await ctx.svc.verify('alice', code, IP)).toEqual({ ok: false, reason: 'invalid' });
    expect(await ctx.svc.countRecoveryCodes('alice')).toBe(9);
    expect(ctx.events.find((e) => e.type === 'mfa.recovery_used')).toEqual({
      type: 'mfa.recovery_used',
      userKey: 'alice',
      ip: IP,
      remainingRecoveryCodes: 9,
    });
    assertNoSecretsInAudit([secret, ...recoveryCodes, ...recoveryCodes.map((c) => c.replaceAll('-', ''))]);
  });

  it('another user’s recovery code does not work', async () => {
    const a = await enroll('alice');
    await enroll('bob');
    expect(await ctx.svc.verify('bob', a.recoveryCodes[0]!, IP)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('regeneration needs a fresh MFA and invalidates the old codes', async () => {
    const { recoveryCodes } = await enroll();
    const now = Math.floor(ctx.clock.now() / 1000);
    await expect(ctx.svc.regenerateRecoveryCodes('alice', { mfaTime: undefined })).rejects.toSatisfy((e) =>
      isGatewayError(e, 'ERR_ACCESS_DENIED'),
    );
    await expect(ctx.svc.regenerateRecoveryCodes('alice', { mfaTime: now - 301 })).rejects.toSatisfy((e) =>
      isGatewayError(e, 'ERR_ACCESS_DENIED'),
    );
    await expect(ctx.svc.regenerateRecoveryCodes('nobody', { mfaTime: now })).rejects.toSatisfy((e) =>
      isGatewayError(e, 'ERR_ACCESS_DENIED'),
    );
    const fresh = await ctx.svc.regenerateRecoveryCodes('alice', { mfaTime: now - 10 });
    expect(fresh).toHaveLength(10);
    expect(await ctx.svc.verify('alice', recoveryCodes[0]!, IP)).toEqual({ ok: false, reason: 'invalid' });
    expect(await ctx.svc.verify('alice', fresh[0]!, IP)).toEqual({ ok: true, method: 'recovery' });
    expect(ctx.events.some((e) => e.type === 'mfa.recovery_regenerated')).toBe(true);
  });
});

describe('operators and storage', () => {
  it('reset removes all factors and codes of the user and is audited', async () => {
    const { recoveryCodes } = await enroll();
    await enroll('bob');
    expect(await ctx.svc.reset('alice', 'admin@example.com')).toBe(1);
    expect(await ctx.svc.hasActiveFactor('alice')).toBe(false);
    expect(await ctx.svc.listFactors('alice')).toEqual([]);
    expect(await ctx.svc.verify('alice', recoveryCodes[0]!, IP)).toEqual({ ok: false, reason: 'invalid' });
    expect(await ctx.svc.hasActiveFactor('bob')).toBe(true);
    expect(ctx.events.find((e) => e.type === 'mfa.reset')).toEqual({
      type: 'mfa.reset',
      userKey: 'alice',
      count: 1,
      actor: 'admin@example.com',
    });
  });

  it('factors and replay markers survive a restart', async () => {
    const { secret } = await enroll();
    const code = await codeNow(secret);
    expect((await ctx.svc.verify('alice', code, IP)).ok).toBe(true);
    await ctx.store.close();
    const again = await serviceOn(ctx.file, ctx.clock, ctx.events);
    expect(await again.svc.hasActiveFactor('alice')).toBe(true);
    expect(await again.svc.verify('alice', code, IP)).toEqual({ ok: false, reason: 'replayed' });
    ctx.clock.advance(30_000);
    expect((await again.svc.verify('alice', await codeNow(secret), IP)).ok).toBe(true);
  });

  it('fails closed with the wrong encryption key', async () => {
    const { secret } = await enroll();
    const wrong = await serviceOn(ctx.file, ctx.clock, [], { current: 'k1', keys: { k1: K2 } });
    await expect(wrong.svc.verify('alice', await codeNow(secret), IP)).rejects.toSatisfy((e) => isGatewayError(e, 'ERR_INTERNAL'));
    const missing = await serviceOn(ctx.file, ctx.clock, [], { current: 'k2', keys: { k2: K2 } });
    await expect(missing.svc.checkStorageKeys()).rejects.toSatisfy(
      (e) => isGatewayError(e, 'ERR_CONFIG_INVALID') && (e as Error).message.includes('"k1" (1 rows)'),
    );
    await expect(missing.svc.verify('alice', await codeNow(secret), IP)).rejects.toSatisfy((e) =>
      isGatewayError(e, 'ERR_CONFIG_INVALID'),
    );
  });

  it('rotateStorageKey re-encrypts every secret under the current key; the old key can then be removed', async () => {
    const a = await enroll('alice');
    const b = await enroll('bob');
    const pending = await ctx.svc.beginEnrollment('carol', 'carol');
    expect(await ctx.svc.checkStorageKeys()).toEqual({ k1: 3 });

    const both = await serviceOn(ctx.file, ctx.clock, ctx.events, { current: 'k2', keys: { k1: K1, k2: K2 } });
    expect(await both.svc.rotateStorageKey()).toBe(3);
    expect(await both.svc.rotateStorageKey()).toBe(0);
    expect(await both.svc.checkStorageKeys()).toEqual({ k2: 3 });
    expect(ctx.events.find((e) => e.type === 'mfa.storage_rotated')).toMatchObject({ count: 3 });

    const onlyNew = await serviceOn(ctx.file, ctx.clock, [], { current: 'k2', keys: { k2: K2 } });
    expect(await onlyNew.svc.checkStorageKeys()).toEqual({ k2: 3 });
    expect((await onlyNew.svc.verify('alice', await codeNow(a.secret), IP)).ok).toBe(true);
    expect((await onlyNew.svc.verify('bob', await codeNow(b.secret), IP)).ok).toBe(true);
    const c = await onlyNew.svc.confirmEnrollment('carol', pending.factorId, await codeNow(pending.secret), IP);
    expect(c.ok).toBe(true);
  });

  it('pruneStale removes expired enrollments', async () => {
    await ctx.svc.beginEnrollment('alice', 'alice');
    ctx.clock.advance(3_601_000);
    const r = await ctx.svc.pruneStale();
    expect(r.pendingFactors).toBe(1);
    expect(await ctx.svc.listFactors('alice')).toEqual([]);
  });

  it('refuses an issuer with ":" and out-of-range TOTP settings at construction', () => {
    const base = { store: ctx.store, secretBox: ctx.box, clock: ctx.clock, limiter: ctx.limiter };
    expect(() => createMfaService({ ...base, issuer: 'a:b' })).toThrow(/issuer/);
    expect(() => createMfaService({ ...base, issuer: 'x', totpOptions: { digits: 5 } })).toThrow(/digits/);
    expect(() => createMfaService({ ...base, issuer: 'x', totpOptions: { window: 11 } })).toThrow(/window/);
  });
});
