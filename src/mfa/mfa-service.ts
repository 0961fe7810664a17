import { randomUUID } from 'node:crypto';
import { GatewayError, type Clock } from '../core/index.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import { qrDataUrl } from './qr.js';
import { createRecoveryCodeBatch, findRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import type { SecretBox } from './secret-box.js';
import { buildOtpauthUri, DEFAULT_TOTP_PARAMS, generateTotpSecret, verifyTotp } from './totp.js';
import type {
  FactorStore,
  FactorSummary,
  MfaAudit,
  MfaAuditEvent,
  MfaConfirmResult,
  MfaVerifyResult,
  StoredFactor,
  TotpParams,
} from './types.js';

/** Dependencies and settings of {@link createMfaService}. */
export interface MfaServiceOptions {
  readonly store: FactorStore;
  readonly secretBox: SecretBox;
  readonly clock: Clock;
  readonly limiter: AttemptLimiter;
  /** Issuer shown in authenticator apps (no `:`). */
  readonly issuer: string;
  /** TOTP parameters for new factors (algorithm, digits, period) and verification (window). Defaults: {@link DEFAULT_TOTP_PARAMS}. */
  readonly totpOptions?: Partial<TotpParams>;
  /** Audit sink. Default: none. */
  readonly audit?: MfaAudit;
  /** How long a pending enrollment may be confirmed, seconds. Default 600. */
  readonly enrollmentTtlSeconds?: number;
  /** How recent the MFA must be to regenerate recovery codes, seconds. Default 300. */
  readonly freshMfaSeconds?: number;
}

/** What the enrollment page shows: the secret as text and as QR code. Shown once; never logged. */
export interface EnrollmentStart {
  readonly factorId: string;
  /** Base32 secret, for manual entry. */
  readonly secret: string;
  readonly otpauthUri: string;
  /** PNG `data:` URL of the QR code of `otpauthUri`. */
  readonly qrDataUrl: string;
  /** Seconds since the epoch after which the enrollment must be started again. */
  readonly expiresAt: number;
}

/** The MFA service. All methods reject with `ERR_MFA_STORE_UNAVAILABLE` when storage fails (fail closed). */
export interface MfaService {
  /** Creates a pending TOTP factor (replacing any earlier pending one). The caller decides who may enroll. */
  beginEnrollment(userKey: string, account: string): Promise<EnrollmentStart>;
  /** Activates a pending factor with a first valid code; returns 10 new recovery codes (replacing old ones). */
  confirmEnrollment(userKey: string, factorId: string, code: string, clientIp: string): Promise<MfaConfirmResult>;
  /** Checks a TOTP code or a recovery code, with replay protection and attempt limits. */
  verify(userKey: string, code: string, clientIp: string): Promise<MfaVerifyResult>;
  /**
   * Replaces the user's recovery codes.
   * @param auth.mfaTime seconds since the epoch of the user's last MFA verification.
   * @throws GatewayError `ERR_ACCESS_DENIED` without an active factor or when `mfaTime` is older than `freshMfaSeconds`.
   */
  regenerateRecoveryCodes(userKey: string, auth: { readonly mfaTime: number | undefined }): Promise<readonly string[]>;
  hasActiveFactor(userKey: string): Promise<boolean>;
  listFactors(userKey: string): Promise<FactorSummary[]>;
  /** Unused recovery codes left. */
  countRecoveryCodes(userKey: string): Promise<number>;
  /** Removes every factor, recovery code and replay marker of the user, and lifts locks (`gatehouse mfa reset`). */
  reset(userKey: string, actor?: string): Promise<number>;
  /** Re-encrypts every secret not under the current key id (`gatehouse keys rotate-storage`); returns rows changed. */
  rotateStorageKey(): Promise<number>;
  /**
   * Factor rows per key id. Call at start.
   * @throws GatewayError `ERR_CONFIG_INVALID` when rows are sealed under key ids missing from the keyring.
   */
  checkStorageKeys(): Promise<Record<string, number>>;
  /** Deletes expired pending enrollments and old replay markers (schedule e.g. hourly). */
  pruneStale(): Promise<{ pendingFactors: number; replayMarkers: number }>;
}

const aad = (f: Pick<StoredFactor, 'userKey' | 'id'>): string => `mfa-factor\u0000${f.userKey}\u0000${f.id}`;

function summary(f: StoredFactor): FactorSummary {
  const { secret: _secret, userKey: _userKey, ...rest } = f;
  return rest;
}

/**
 * Creates the MFA service: TOTP enrollment and verification (RFC 6238), replay guard shared
 * through the store, attempt limits, recovery codes, operator reset and key rotation.
 * @throws GatewayError `ERR_CONFIG_INVALID` for an invalid issuer or TOTP parameters.
 */
export function createMfaService(options: MfaServiceOptions): MfaService {
  const { store, secretBox, clock, limiter, issuer } = options;
  const totp: TotpParams = { ...DEFAULT_TOTP_PARAMS, ...options.totpOptions };
  if (![6, 7, 8].includes(totp.digits) || !Number.isInteger(totp.period) || totp.period < 15 || totp.period > 300) {
    throw new GatewayError('ERR_CONFIG_INVALID', 'mfa.totp: digits must be 6-8 and period 15-300 seconds');
  }
  if (!Number.isInteger(totp.window) || totp.window < 0 || totp.window > 10) {
    throw new GatewayError('ERR_CONFIG_INVALID', 'mfa.totp.window must be an integer from 0 to 10');
  }
  const ttl = options.enrollmentTtlSeconds ?? 600;
  const fresh = options.freshMfaSeconds ?? 300;
  // A marker must outlive every instant at which its step is still accepted: (2·window + 2) periods.
  const markerRetention = Math.max(3600, (2 * totp.window + 2) * totp.period);
  buildOtpauthUri({ issuer, account: 'check', secret: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', ...totp }); // validates the issuer now
  const nowSec = (): number => Math.floor(clock.now() / 1000);
  const emit = (e: MfaAuditEvent): void => options.audit?.(e);
  const withIp = (ip: string): { ip?: string } => (ip === '' ? {} : { ip });

  /** Counts a failure, audits it, and maps it to a result. */
  async function failed(
    userKey: string,
    clientIp: string,
    reason: 'invalid' | 'replayed',
    factorId?: string,
  ): Promise<{ ok: false; reason: 'invalid' | 'replayed' | 'locked'; retryAfterSeconds?: number }> {
    const after = await limiter.recordFailure(userKey, clientIp);
    emit({ type: 'mfa.failed', userKey, ...withIp(clientIp), reason, ...(factorId === undefined ? {} : { factorId }) });
    if (!after.locked) return { ok: false, reason };
    emit({ type: 'mfa.locked', userKey, ...withIp(clientIp), retryAfterSeconds: after.retryAfterSeconds });
    return { ok: false, reason: 'locked', retryAfterSeconds: after.retryAfterSeconds };
  }

  async function locked(userKey: string, clientIp: string): Promise<{ ok: false; reason: 'locked'; retryAfterSeconds: number } | undefined> {
    const gate = await limiter.check(userKey, clientIp);
    if (!gate.locked) return undefined;
    emit({ type: 'mfa.failed', userKey, ...withIp(clientIp), reason: 'locked', retryAfterSeconds: gate.retryAfterSeconds });
    return { ok: false, reason: 'locked', retryAfterSeconds: gate.retryAfterSeconds };
  }

  /** Matches a TOTP code against one factor: the time step, or null. Decryption errors propagate (fail closed). */
  function matchFactor(f: StoredFactor, code: string): Promise<number | null> {
    return verifyTotp(code, secretBox.open(f.secret, aad(f)), { ...f, window: totp.window }, clock.now());
  }

  async function newRecoveryCodes(userKey: string): Promise<readonly string[]> {
    const batch = await createRecoveryCodeBatch(userKey, nowSec(), RECOVERY_CODE_COUNT);
    await store.replaceRecoveryCodes(userKey, batch.stored);
    return batch.codes;
  }

  return {
    async beginEnrollment(userKey, account) {
      const now = nowSec();
      const secret = generateTotpSecret();
      const factorId = randomUUID();
      await store.prunePendingFactors(now - ttl);
      await store.savePendingFactor({
        id: factorId,
        userKey,
        type: 'totp',
        label: account,
        keyId: secretBox.currentKeyId,
        secret: secretBox.seal(secret, aad({ userKey, id: factorId })),
        algorithm: totp.algorithm,
        digits: totp.digits,
        period: totp.period,
        createdAt: now,
      });
      const otpauthUri = buildOtpauthUri({ issuer, account, secret, ...totp });
      emit({ type: 'mfa.enrollment_started', userKey, factorId });
      return { factorId, secret, otpauthUri, qrDataUrl: await qrDataUrl(otpauthUri), expiresAt: now + ttl };
    },

    async confirmEnrollment(userKey, factorId, code, clientIp) {
      const gate = await locked(userKey, clientIp);
      if (gate) return gate;
      const now = nowSec();
      const f = await store.getFactor(userKey, factorId);
      if (f?.status !== 'pending' || f.createdAt < now - ttl) {
        emit({ type: 'mfa.failed', userKey, ...withIp(clientIp), reason: 'expired', factorId });
        return { ok: false, reason: 'expired' };
      }
      const step = await matchFactor(f, code);
      if (step === null) return failed(userKey, clientIp, 'invalid', factorId);
      if (!(await store.markCodeUsed(userKey, factorId, step, now))) return failed(userKey, clientIp, 'replayed', factorId);
      if (!(await store.activateFactor(userKey, factorId, now))) return { ok: false, reason: 'expired' };
      await store.touchFactor(userKey, factorId, now);
      const recoveryCodes = await newRecoveryCodes(userKey);
      await limiter.recordSuccess(userKey);
      emit({ type: 'mfa.enrolled', userKey, ...withIp(clientIp), factorId });
      return { ok: true, factorId, recoveryCodes };
    },

    async verify(userKey, code, clientIp) {
      const gate = await locked(userKey, clientIp);
      if (gate) return gate;
      const now = nowSec();
      const factors = (await store.listFactors(userKey)).filter((f) => f.status === 'active');
      const digits = code.replace(/\s+/g, '');
      if (/^\d+$/.test(digits)) {
        for (const f of factors) {
          if (digits.length !== f.digits) continue;
          const step = await matchFactor(f, digits);
          if (step === null) continue;
          if (!(await store.markCodeUsed(userKey, f.id, step, now))) return failed(userKey, clientIp, 'replayed', f.id);
          await store.touchFactor(userKey, f.id, now);
          await store.pruneUsedCodes(now - markerRetention, userKey);
          await limiter.recordSuccess(userKey);
          emit({ type: 'mfa.verified', userKey, ...withIp(clientIp), factorId: f.id });
          return { ok: true, method: 'otp', factorId: f.id };
        }
        return failed(userKey, clientIp, 'invalid');
      }
      const normalized = normalizeRecoveryCode(code);
      if (normalized !== null && factors.length > 0) {
        const stored = await store.listRecoveryCodes(userKey);
        const hit = await findRecoveryCode(normalized, stored);
        if (hit && (await store.consumeRecoveryCode(userKey, hit.id, now))) {
          await limiter.recordSuccess(userKey);
          emit({ type: 'mfa.recovery_used', userKey, ...withIp(clientIp), remainingRecoveryCodes: stored.length - 1 });
          return { ok: true, method: 'recovery' };
        }
      }
      return failed(userKey, clientIp, 'invalid');
    },

    async regenerateRecoveryCodes(userKey, auth) {
      const now = nowSec();
      if (auth.mfaTime === undefined || auth.mfaTime > now + 60 || now - auth.mfaTime > fresh) {
        throw new GatewayError('ERR_ACCESS_DENIED', 'a fresh MFA verification is required to regenerate recovery codes');
      }
      const factors = await store.listFactors(userKey);
      if (!factors.some((f) => f.status === 'active')) {
        throw new GatewayError('ERR_ACCESS_DENIED', 'no active MFA factor');
      }
      const codes = await newRecoveryCodes(userKey);
      emit({ type: 'mfa.recovery_regenerated', userKey });
      return codes;
    },

    async hasActiveFactor(userKey) {
      return (await store.listFactors(userKey)).some((f) => f.status === 'active');
    },

    async listFactors(userKey) {
      return (await store.listFactors(userKey)).map(summary);
    },

    async countRecoveryCodes(userKey) {
      return (await store.listRecoveryCodes(userKey)).length;
    },

    async reset(userKey, actor) {
      const count = await store.deleteUser(userKey);
      await limiter.reset(userKey);
      emit({ type: 'mfa.reset', userKey, count, ...(actor === undefined ? {} : { actor }) });
      return count;
    },

    async rotateStorageKey() {
      const target = secretBox.currentKeyId;
      let after = '';
      let changed = 0;
      for (;;) {
        const page = await store.listFactorsNotUnderKey(target, after, 100);
        if (page.length === 0) break;
        for (const row of page) {
          const sealed = secretBox.seal(secretBox.open(row.secret, aad(row)), aad(row));
          if (await store.updateFactorSecret(row.id, row.secret, target, sealed)) changed++;
        }
        after = page[page.length - 1]?.id ?? after;
      }
      emit({ type: 'mfa.storage_rotated', userKey: '', count: changed });
      return changed;
    },

    async checkStorageKeys() {
      const counts = await store.countFactorsByKeyId();
      const missing = Object.entries(counts).filter(([id]) => !secretBox.hasKey(id));
      if (missing.length > 0) {
        throw new GatewayError(
          'ERR_CONFIG_INVALID',
          `mfa.encryption_keys: MFA secrets are stored under key ids that are not configured: ${missing
            .map(([id, n]) => `"${id}" (${n} rows)`)
            .join(', ')}; add those keys back, or reset the affected users`,
        );
      }
      return counts;
    },

    async pruneStale() {
      const now = nowSec();
      const pendingFactors = await store.prunePendingFactors(now - ttl);
      const replayMarkers = await store.pruneUsedCodes(now - markerRetention);
      return { pendingFactors, replayMarkers };
    },
  };
}
