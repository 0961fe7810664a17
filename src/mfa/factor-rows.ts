import { GatewayError } from '../core/index.js';
import type { SealedFactorRow, StoredFactor, StoredRecoveryCode, TotpAlgorithm } from './types.js';

/** A database row of `mfa_factors` (SQLite numbers, PostgreSQL BIGINT strings). */
export interface FactorRow {
  id: string;
  user_key: string;
  type: string;
  status: string;
  label: string;
  key_id: string;
  secret: string;
  algorithm: string;
  digits: number | string;
  period: number | string;
  created_at: number | string;
  activated_at: number | string | null;
  last_used_at: number | string | null;
}

/** A database row of `mfa_recovery_codes`. */
export interface RecoveryRow {
  id: string;
  user_key: string;
  salt: string;
  hash: string;
  created_at: number | string;
}

/** Maps a factors row to a {@link StoredFactor}. */
export function toFactor(r: FactorRow): StoredFactor {
  return {
    id: r.id,
    userKey: r.user_key,
    type: 'totp',
    status: r.status === 'active' ? 'active' : 'pending',
    label: r.label,
    keyId: r.key_id,
    secret: r.secret,
    algorithm: r.algorithm as TotpAlgorithm,
    digits: Number(r.digits),
    period: Number(r.period),
    createdAt: Number(r.created_at),
    ...(r.activated_at === null ? {} : { activatedAt: Number(r.activated_at) }),
    ...(r.last_used_at === null ? {} : { lastUsedAt: Number(r.last_used_at) }),
  };
}

/** Maps a recovery codes row. */
export function toRecovery(r: RecoveryRow): StoredRecoveryCode {
  return { id: r.id, userKey: r.user_key, salt: r.salt, hash: r.hash, createdAt: Number(r.created_at) };
}

/** Maps a row of the re-encryption walk. */
export function toSealedRow(r: Pick<FactorRow, 'id' | 'user_key' | 'key_id' | 'secret'>): SealedFactorRow {
  return { id: r.id, userKey: r.user_key, keyId: r.key_id, secret: r.secret };
}

/** Wraps a database failure as `ERR_MFA_STORE_UNAVAILABLE` (callers fail closed). */
export function storeError(backend: string, op: string, cause: unknown): GatewayError {
  if (cause instanceof GatewayError) return cause;
  return new GatewayError('ERR_MFA_STORE_UNAVAILABLE', `MFA ${backend} store: ${op} failed`, { cause });
}
