import { z } from 'zod';
import { GatewayError } from '../core/index.js';
import { durationSeconds } from './duration.js';

/** PostgreSQL schema names accepted for `mfa.store.postgres.schema`: an unquoted identifier, lower case. */
export const POSTGRES_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Default `trust_idp_mfa` amr values (RFC 8176 §2): `mfa`, `otp`, `hwk`, `swk`. */
export const DEFAULT_TRUSTED_AMR: readonly string[] = Object.freeze(['mfa', 'otp', 'hwk', 'swk']);

/**
 * Parses one configured AES-256 key: 64 hex digits, or base64 / base64url of exactly 32 bytes.
 * The error names the key but never echoes its value.
 * @param name used in the error message, e.g. `mfa.encryption_keys.k2026`.
 * @returns the 32 key bytes.
 * @throws GatewayError `ERR_CONFIG_INVALID` when the text is not exactly 32 bytes in either encoding.
 */
export function parseEncryptionKey(text: string, name: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
    throw new GatewayError(
      'ERR_CONFIG_INVALID',
      `${name}: an AES-256 key must be exactly 32 bytes; this base64 value decodes to ${bytes.length} bytes (generate one with "openssl rand -base64 32")`,
    );
  }
  throw new GatewayError(
    'ERR_CONFIG_INVALID',
    `${name}: not a key: use 32 bytes as base64 (44 characters) or hex (64 characters), e.g. "openssl rand -base64 32"`,
  );
}

const keyId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'key ids use letters, digits, "_" and "-" (at most 64)');

/** `mfa.store`: exactly one of `sqlite` (embedded, default) or `postgres`. */
export const mfaStoreSchema = z
  .strictObject({
    sqlite: z
      .strictObject({
        file: z
          .string()
          .min(1)
          .describe('SQLite database file; relative paths are relative to this config file.'),
      })
      .optional(),
    postgres: z
      .strictObject({
        /** `postgres://user:password@host:5432/db` (use `${file:…}` for the password). */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
          .describe('postgres:// URL; put the password in it via ${ENV} or ${file:}.'),
        schema: z
          .string()
          .regex(POSTGRES_SCHEMA_NAME, 'must be a lower-case SQL identifier')
          .default('gatehouse_mfa')
          .describe('Schema holding the MFA tables; created if missing.'),
      })
      .optional(),
  })
  .refine((s) => (s.sqlite === undefined) !== (s.postgres === undefined), {
    error: 'set exactly one of sqlite or postgres',
  });

/** `mfa.totp`: parameters of new factors and the verification window. */
export const mfaTotpSchema = z.strictObject({
  algorithm: z
    .enum(['sha1', 'sha256', 'sha512'])
    .default('sha1')
    .describe('HMAC hash (most apps support only sha1).'),
  digits: z.number().int().min(6).max(8).default(6),
  /** Seconds (or a duration string), 15 to 300. */
  period: durationSeconds
    .pipe(z.number().int().min(15).max(300))
    .default(30)
    .describe('Time step, 15s to 300s. Default 30s.'),
  /** Steps accepted either side of the current one. */
  window: z
    .number()
    .int()
    .min(0)
    .max(10)
    .default(1)
    .describe('Steps accepted either side of the current one.'),
});

/** `mfa.attempts`: failed-attempt limits (durations in seconds or strings). */
export const mfaAttemptsSchema = z.strictObject({
  max_per_user: z.number().int().min(1).default(5),
  max_per_ip: z.number().int().min(1).default(20),
  interval: durationSeconds
    .pipe(z.number().int().min(1))
    .default(900)
    .describe('Failures count within this window. Default 15m.'),
  lockout: durationSeconds
    .pipe(z.number().int().min(1))
    .default(900)
    .describe('Lock duration once a limit is reached. Default 15m.'),
});

/**
 * The `mfa:` section of `config/gatehouse.yaml`. Present = MFA is configured, and then at
 * least one valid encryption key is required (the gateway refuses to start otherwise).
 * Keys are 32 bytes as base64 or hex; give them with `${file:…}` or `${ENV}`.
 */
export const mfaConfigSchema = z
  .strictObject({
    /** Issuer shown in authenticator apps. No ":". */
    issuer: z
      .string()
      .min(1)
      .max(64)
      .refine((s) => !s.includes(':'), { error: 'must not contain ":"' })
      .default('Gatehouse')
      .describe('Name shown in authenticator apps; no ":".'),
    store: mfaStoreSchema.default({ sqlite: { file: '.gatehouse-data/mfa.db' } }),
    encryption_keys: z
      .record(keyId, z.string().min(1))
      .refine((k) => Object.keys(k).length > 0, {
        error: 'MFA needs at least one encryption key',
      })
      .describe('Key id -> 32-byte AES-256 key (base64 or hex); use ${file:} or ${ENV}.'),
    current_key_id: keyId.describe('Key id new secrets are encrypted under.'),
    totp: mfaTotpSchema.default({ algorithm: 'sha1', digits: 6, period: 30, window: 1 }),
    /** How long an enrollment may be confirmed. */
    enrollment_timeout: durationSeconds
      .pipe(z.number().int().min(60))
      .default(600)
      .describe('How long an enrollment may be confirmed. Default 10m.'),
    /** How recent the MFA must be to regenerate recovery codes. */
    fresh_mfa_max_age: durationSeconds
      .pipe(z.number().int().min(1))
      .default(300)
      .describe('How recent the MFA must be to regenerate recovery codes. Default 5m.'),
    attempts: mfaAttemptsSchema.default({
      max_per_user: 5,
      max_per_ip: 20,
      interval: 900,
      lockout: 900,
    }),
  })
  .superRefine((cfg, ctx) => {
    for (const [id, text] of Object.entries(cfg.encryption_keys)) {
      try {
        parseEncryptionKey(text, `mfa.encryption_keys.${id}`);
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          path: ['encryption_keys', id],
          message:
            e instanceof GatewayError
              ? e.message.replace(/^mfa\.encryption_keys\.[^:]+: /, '')
              : 'invalid key',
        });
      }
    }
    if (!Object.hasOwn(cfg.encryption_keys, cfg.current_key_id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['current_key_id'],
        message: `"${cfg.current_key_id}" is not one of encryption_keys (${Object.keys(cfg.encryption_keys).join(', ')})`,
      });
    }
  });

/** The validated `mfa:` section (durations in seconds). */
export type MfaConfig = z.infer<typeof mfaConfigSchema>;

/**
 * `identity_providers[].trust_idp_mfa`: `true` (amr one of {@link DEFAULT_TRUSTED_AMR}), or
 * `{ amr: [...], acr: [...] }` (amr defaults to the same list, acr to none). Parsed to the two
 * lists, or `undefined` when the IdP's MFA is not trusted (`false` or absent).
 * @see RFC 8176 (amr values), OIDC Core §2 (amr, acr, auth_time)
 */
export const trustIdpMfaSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      amr: z.array(z.string().min(1)).default([...DEFAULT_TRUSTED_AMR]),
      acr: z.array(z.string().min(1)).default([]),
    }),
  ])
  .transform((v) =>
    v === false ? undefined : v === true ? { amr: [...DEFAULT_TRUSTED_AMR], acr: [] } : v,
  );

/** The parsed `trust_idp_mfa` setting: which `amr` / `acr` values count as MFA done by the IdP. */
export interface TrustIdpMfa {
  readonly amr: readonly string[];
  readonly acr: readonly string[];
}
