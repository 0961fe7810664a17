import { z } from 'zod';
import { durationSeconds } from '../config/index.js';
import { GatewayError } from '../core/index.js';
import { POSTGRES_SCHEMA_NAME } from './postgres-factor-store.js';
import { parseEncryptionKey } from './secret-box.js';

const keyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'key ids use letters, digits, "_" and "-" (at most 64)');

/** `mfa.store`: exactly one of `sqlite` (embedded, default) or `postgres`. */
export const mfaStoreSchema = z
  .strictObject({
    sqlite: z.strictObject({ file: z.string().min(1) }).optional(),
    postgres: z
      .strictObject({
        /** `postgres://user:password@host:5432/db` (use `${file:…}` for the password). */
        url: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
        schema: z.string().regex(POSTGRES_SCHEMA_NAME, 'must be a lower-case SQL identifier').default('gatehouse_mfa'),
      })
      .optional(),
  })
  .refine((s) => (s.sqlite === undefined) !== (s.postgres === undefined), {
    error: 'set exactly one of sqlite or postgres',
  });

/** `mfa.totp`: parameters of new factors and the verification window. */
export const mfaTotpSchema = z.strictObject({
  algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha1'),
  digits: z.number().int().min(6).max(8).default(6),
  /** Seconds (or a duration string), 15 to 300. */
  period: durationSeconds.pipe(z.number().int().min(15).max(300)).default(30),
  /** Steps accepted either side of the current one. */
  window: z.number().int().min(0).max(10).default(1),
});

/** `mfa.attempts`: failed-attempt limits (durations in seconds or strings). */
export const mfaAttemptsSchema = z.strictObject({
  max_per_user: z.number().int().min(1).default(5),
  max_per_ip: z.number().int().min(1).default(20),
  interval: durationSeconds.pipe(z.number().int().min(1)).default(900),
  lockout: durationSeconds.pipe(z.number().int().min(1)).default(900),
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
      .default('Gatehouse'),
    store: mfaStoreSchema.default({ sqlite: { file: '.gatehouse-data/mfa.db' } }),
    encryption_keys: z.record(keyId, z.string().min(1)).refine((k) => Object.keys(k).length > 0, {
      error: 'MFA needs at least one encryption key',
    }),
    current_key_id: keyId,
    totp: mfaTotpSchema.default({ algorithm: 'sha1', digits: 6, period: 30, window: 1 }),
    /** How long an enrollment may be confirmed. */
    enrollment_timeout: durationSeconds.pipe(z.number().int().min(60)).default(600),
    /** How recent the MFA must be to regenerate recovery codes. */
    fresh_mfa_max_age: durationSeconds.pipe(z.number().int().min(1)).default(300),
    attempts: mfaAttemptsSchema.default({ max_per_user: 5, max_per_ip: 20, interval: 900, lockout: 900 }),
  })
  .superRefine((cfg, ctx) => {
    for (const [id, text] of Object.entries(cfg.encryption_keys)) {
      try {
        parseEncryptionKey(text, `mfa.encryption_keys.${id}`);
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          path: ['encryption_keys', id],
          message: e instanceof GatewayError ? e.message.replace(/^mfa\.encryption_keys\.[^:]+: /, '') : 'invalid key',
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
