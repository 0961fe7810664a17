/**
 * Public types of the MFA module: stored factors, the durable {@link FactorStore} contract,
 * audit events and verification results. Times are seconds since the Unix epoch unless a
 * name ends in `Ms`.
 */

/** HMAC hash of a TOTP factor (RFC 6238 §1.2). */
export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** TOTP parameters of one factor or of the configuration. */
export interface TotpParams {
  /** HMAC hash. Default `sha1` (what authenticator apps support everywhere). */
  readonly algorithm: TotpAlgorithm;
  /** Code length, 6 to 8. Default 6. */
  readonly digits: number;
  /** Time step in seconds (RFC 6238 §4.1 `X`). Default 30. */
  readonly period: number;
  /** Steps accepted either side of the current one (RFC 6238 §5.2). Default 1. */
  readonly window: number;
}

/** Life cycle of a factor: `pending` until the first valid code, then `active`. */
export type FactorStatus = 'pending' | 'active';

/** A factor as stored. `secret` is sealed by the secret box (never plaintext). */
export interface StoredFactor {
  /** Random id (UUID). */
  readonly id: string;
  /** `userKey(identity)` from core. */
  readonly userKey: string;
  readonly type: 'totp';
  readonly status: FactorStatus;
  /** Account label shown in the authenticator app. */
  readonly label: string;
  /** Id of the key the secret is sealed under (also inside `secret`). */
  readonly keyId: string;
  /** The sealed TOTP secret (`SecretBox.seal` output). */
  readonly secret: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  /** Seconds. */
  readonly period: number;
  /** Seconds since the epoch. */
  readonly createdAt: number;
  /** Seconds since the epoch; set when activated. */
  readonly activatedAt?: number;
  /** Seconds since the epoch of the last accepted code. */
  readonly lastUsedAt?: number;
}

/** Input to {@link FactorStore.savePendingFactor}. */
export type NewFactor = Omit<StoredFactor, 'status' | 'activatedAt' | 'lastUsedAt'>;

/** A stored recovery code: only a salted slow hash of it. */
export interface StoredRecoveryCode {
  readonly id: string;
  readonly userKey: string;
  /** base64url salt of the KDF (shared by the codes of one batch). */
  readonly salt: string;
  /** base64url KDF output. */
  readonly hash: string;
  /** Seconds since the epoch. */
  readonly createdAt: number;
}

/** A factor row as the re-encryption walk sees it. */
export interface SealedFactorRow {
  readonly id: string;
  readonly userKey: string;
  readonly keyId: string;
  readonly secret: string;
}

/**
 * Durable storage for factors, recovery codes and replay markers, shared by every gateway
 * instance. Implementations: SQLite (`createSqliteFactorStore`) and PostgreSQL
 * (`createPostgresFactorStore`); one contract suite (`test/contract/factor-store.contract.ts`)
 * guards both. Every method rejects with `GatewayError` `ERR_MFA_STORE_UNAVAILABLE` when the
 * database fails (callers fail closed).
 */
export interface FactorStore {
  /** Saves a pending factor and deletes the user's other pending factors (one enrollment at a time). */
  savePendingFactor(factor: NewFactor): Promise<void>;
  /** One factor of the user, or `undefined`. */
  getFactor(userKey: string, factorId: string): Promise<StoredFactor | undefined>;
  /** Turns a pending factor active; `false` when it is unknown, not the user's, or already active. Atomic. */
  activateFactor(userKey: string, factorId: string, now: number): Promise<boolean>;
  /** Records the time of the last accepted code (seconds). */
  touchFactor(userKey: string, factorId: string, now: number): Promise<void>;
  /** The user's factors, pending and active, oldest first. */
  listFactors(userKey: string): Promise<StoredFactor[]>;
  /** Deletes the user's factors, recovery codes and replay markers; returns how many factors. */
  deleteUser(userKey: string): Promise<number>;
  /** Deletes pending factors created before `createdBefore` (seconds); returns how many. */
  prunePendingFactors(createdBefore: number): Promise<number>;
  /** Replaces all recovery codes of the user by `codes`, atomically. */
  replaceRecoveryCodes(userKey: string, codes: readonly StoredRecoveryCode[]): Promise<void>;
  /** The user's unused recovery codes. */
  listRecoveryCodes(userKey: string): Promise<StoredRecoveryCode[]>;
  /** Marks one recovery code used; `true` only for the one caller that used it first. Atomic. */
  consumeRecoveryCode(userKey: string, codeId: string, now: number): Promise<boolean>;
  /**
   * Records that the code of `timeStep` was accepted for (`userKey`, `factorId`).
   * Returns `false` when it was already recorded (a replay), by any instance. Atomic.
   * @see RFC 6238 §5.2 (a verifier must not accept the same OTP twice)
   */
  markCodeUsed(userKey: string, factorId: string, timeStep: number, now: number): Promise<boolean>;
  /** Deletes replay markers recorded before `usedBefore` (seconds), optionally for one user only. */
  pruneUsedCodes(usedBefore: number, userKey?: string): Promise<number>;
  /**
   * Up to `limit` factor rows not sealed under `keyId`, with `id > afterId`, ordered by id
   * (a cursor walk for re-encryption).
   */
  listFactorsNotUnderKey(keyId: string, afterId: string, limit: number): Promise<SealedFactorRow[]>;
  /** Replaces a sealed secret if it still equals `expectedSecret` (compare-and-swap); `true` if replaced. */
  updateFactorSecret(factorId: string, expectedSecret: string, keyId: string, secret: string): Promise<boolean>;
  /** Number of factor rows per key id. */
  countFactorsByKeyId(): Promise<Record<string, number>>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Closes the database. */
  close(): Promise<void>;
}

/** Audit event types emitted by the MFA service. */
export type MfaAuditType =
  | 'mfa.enrollment_started'
  | 'mfa.enrolled'
  | 'mfa.verified'
  | 'mfa.failed'
  | 'mfa.locked'
  | 'mfa.recovery_used'
  | 'mfa.recovery_regenerated'
  | 'mfa.reset'
  | 'mfa.storage_rotated';

/** One audit event. Never carries a secret, a code or a recovery code. */
export interface MfaAuditEvent {
  readonly type: MfaAuditType;
  /** Empty for store-wide events (`mfa.storage_rotated`). */
  readonly userKey: string;
  readonly ip?: string;
  readonly factorId?: string;
  /** For `mfa.failed`: why. */
  readonly reason?: 'invalid' | 'replayed' | 'locked' | 'expired';
  /** For `mfa.locked` / locked failures: seconds until attempts are allowed again. */
  readonly retryAfterSeconds?: number;
  /** For `mfa.recovery_used`: unused recovery codes left. */
  readonly remainingRecoveryCodes?: number;
  /** For `mfa.reset`: factors removed; for `mfa.storage_rotated`: rows re-encrypted. */
  readonly count?: number;
  /** Who triggered an operator action (`mfa.reset`), when known. */
  readonly actor?: string;
}

/** The audit sink; must not throw (an exception propagates and the attempt fails closed). */
export type MfaAudit = (event: MfaAuditEvent) => void;

/** Result of a verification. */
export type MfaVerifyResult =
  | { readonly ok: true; readonly method: 'otp' | 'recovery'; readonly factorId?: string }
  | {
      readonly ok: false;
      readonly reason: 'invalid' | 'replayed' | 'locked';
      /** With `locked`: seconds until the next attempt is allowed. */
      readonly retryAfterSeconds?: number;
    };

/** Result of confirming an enrollment. */
export type MfaConfirmResult =
  | { readonly ok: true; readonly factorId: string; readonly recoveryCodes: readonly string[] }
  | {
      readonly ok: false;
      /** `expired`: the pending enrollment is unknown or too old; start again. */
      readonly reason: 'invalid' | 'replayed' | 'locked' | 'expired';
      readonly retryAfterSeconds?: number;
    };

/** What operators and users see of a factor (no secret). */
export interface FactorSummary {
  readonly id: string;
  readonly type: 'totp';
  readonly status: FactorStatus;
  readonly label: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
  readonly keyId: string;
  readonly createdAt: number;
  readonly activatedAt?: number;
  readonly lastUsedAt?: number;
}
