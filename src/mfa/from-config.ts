import type { Clock } from '../core/index.js';
import type { AttemptLimits } from './attempt-limiter.js';
import type { MfaConfig } from './config-schema.js';
import { createPostgresFactorStore } from './postgres-factor-store.js';
import { createKeyring, type Keyring } from './secret-box.js';
import { createSqliteFactorStore } from './sqlite-factor-store.js';
import type { FactorStore, TotpParams } from './types.js';

/**
 * Opens the configured factor store (`mfa.store`) and applies migrations.
 * @throws GatewayError `ERR_MFA_STORE_UNAVAILABLE` when it cannot be opened.
 */
export function openFactorStore(cfg: MfaConfig, clock?: Clock): Promise<FactorStore> {
  const extra = clock === undefined ? {} : { clock };
  if (cfg.store.postgres) {
    return createPostgresFactorStore({ connectionString: cfg.store.postgres.url, schema: cfg.store.postgres.schema, ...extra });
  }
  return createSqliteFactorStore({ file: cfg.store.sqlite?.file ?? '.gatehouse-data/mfa.db', ...extra });
}

/** The keyring of `mfa.encryption_keys` / `mfa.current_key_id`. @throws GatewayError `ERR_CONFIG_INVALID`. */
export function keyringFromConfig(cfg: MfaConfig): Keyring {
  return createKeyring(cfg.current_key_id, cfg.encryption_keys);
}

/** `mfa.totp` as service options. */
export function totpParamsFromConfig(cfg: MfaConfig): TotpParams {
  return { ...cfg.totp };
}

/** `mfa.attempts` as limiter limits (seconds). */
export function attemptLimitsFromConfig(cfg: MfaConfig): AttemptLimits {
  return {
    maxPerUser: cfg.attempts.max_per_user,
    maxPerIp: cfg.attempts.max_per_ip,
    intervalSeconds: cfg.attempts.interval,
    blockSeconds: cfg.attempts.lockout,
  };
}
