/**
 * Versioned schema of the durable factor store. Each migration is applied once, in order,
 * inside one transaction that also records its version in `mfa_schema_migrations`.
 * Never edit a released migration: add a new version.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  /** Statements for SQLite. */
  readonly sqlite: readonly string[];
  /** Statements for PostgreSQL; `t(name)` returns the schema-qualified, quoted table name. */
  readonly postgres: (t: (name: string) => string) => readonly string[];
}

/** All migrations, by ascending version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'factors, recovery codes, replay markers',
    sqlite: [
      `CREATE TABLE mfa_factors (
        id TEXT PRIMARY KEY,
        user_key TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('totp')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
        label TEXT NOT NULL,
        key_id TEXT NOT NULL,
        secret TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        digits INTEGER NOT NULL,
        period INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        activated_at INTEGER,
        last_used_at INTEGER
      ) STRICT`,
      `CREATE INDEX mfa_factors_user ON mfa_factors (user_key)`,
      `CREATE INDEX mfa_factors_key ON mfa_factors (key_id, id)`,
      `CREATE TABLE mfa_recovery_codes (
        id TEXT PRIMARY KEY,
        user_key TEXT NOT NULL,
        salt TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        used_at INTEGER
      ) STRICT`,
      `CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_key)`,
      `CREATE TABLE mfa_used_codes (
        user_key TEXT NOT NULL,
        factor_id TEXT NOT NULL,
        time_step INTEGER NOT NULL,
        used_at INTEGER NOT NULL,
        PRIMARY KEY (user_key, factor_id, time_step)
      ) STRICT`,
      `CREATE INDEX mfa_used_codes_used_at ON mfa_used_codes (used_at)`,
    ],
    postgres: (t) => [
      `CREATE TABLE ${t('mfa_factors')} (
        id TEXT PRIMARY KEY,
        user_key TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('totp')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
        label TEXT NOT NULL,
        key_id TEXT NOT NULL,
        secret TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        digits INTEGER NOT NULL,
        period INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        activated_at BIGINT,
        last_used_at BIGINT
      )`,
      `CREATE INDEX ON ${t('mfa_factors')} (user_key)`,
      `CREATE INDEX ON ${t('mfa_factors')} (key_id, id)`,
      `CREATE TABLE ${t('mfa_recovery_codes')} (
        id TEXT PRIMARY KEY,
        user_key TEXT NOT NULL,
        salt TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        used_at BIGINT
      )`,
      `CREATE INDEX ON ${t('mfa_recovery_codes')} (user_key)`,
      `CREATE TABLE ${t('mfa_used_codes')} (
        user_key TEXT NOT NULL,
        factor_id TEXT NOT NULL,
        time_step BIGINT NOT NULL,
        used_at BIGINT NOT NULL,
        PRIMARY KEY (user_key, factor_id, time_step)
      )`,
      `CREATE INDEX ON ${t('mfa_used_codes')} (used_at)`,
    ],
  },
];

/** The highest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((m, x) => Math.max(m, x.version), 0);
