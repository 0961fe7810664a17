/**
 * Part of the composition root (main.ts): builds Gatehouse's MFA service from the `mfa:` section
 * — factor store (migrations at open), keyring, attempt limiter, audit sink — for the gateway
 * and for the `gatehouse mfa` / `gatehouse keys` commands.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { GatewayError, type Clock, type Logger } from './core/index.js';
import type { GatewayConfig, MfaConfig } from './config/index.js';
import {
  attemptLimitsFromConfig,
  createAttemptLimiter,
  createMfaService,
  createSecretBox,
  keyringFromConfig,
  openFactorStore,
  totpParamsFromConfig,
  type FactorStore,
  type MfaAuditEvent,
  type MfaService,
} from './mfa/index.js';
import { FAIL_FAST_REDIS_OPTIONS } from './session/index.js';

/** A started MFA service and what it owns. */
export interface MfaRuntime {
  readonly service: MfaService;
  /** The `mfa:` section the service was built from. */
  readonly config: MfaConfig;
  /** Stops the prune timer, closes the factor store and the limiter's Redis client. */
  close(): Promise<void>;
}

/** Options of {@link startMfa}. */
export interface StartMfaOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Delete expired enrollments and old replay markers every this many milliseconds; 0 = never. Default 3 600 000 (1 hour). */
  readonly pruneIntervalMs?: number;
}

/**
 * The SQLite file of `mfa.store.sqlite.file`, resolved against the config file's directory;
 * its directory is created when missing (`:memory:` is returned unchanged).
 */
export function resolveSqliteFile(file: string, configFile: string): string {
  if (file === ':memory:') return file;
  const resolved = path.resolve(path.dirname(configFile), file);
  mkdirSync(path.dirname(resolved), { recursive: true, mode: 0o700 });
  return resolved;
}

/** Writes MFA audit events to the log (`event: "mfa.*"`); failures and lockouts at warn. Never a code or secret. */
export function mfaAuditLogger(logger: Logger): (e: MfaAuditEvent) => void {
  return (e) => {
    const { type, ...fields } = e;
    const entry = { event: type, audit: true, ...fields };
    if (type === 'mfa.failed' || type === 'mfa.locked') logger.warn(entry, 'mfa audit event');
    else logger.info(entry, 'mfa audit event');
  };
}

/**
 * Builds the MFA service when `config.mfa` is set: keyring (refuses to start without a valid
 * key), factor store with migrations, limiter (Redis when `session.store` is `redis`, with its own
 * client and the session key prefix; memory otherwise), and checks that every stored secret's
 * key id is configured.
 * @returns undefined when `mfa:` is absent.
 * @throws GatewayError `ERR_CONFIG_INVALID` (keys), `ERR_MFA_STORE_UNAVAILABLE` (database).
 */
export async function startMfa(
  config: GatewayConfig,
  options: StartMfaOptions,
): Promise<MfaRuntime | undefined> {
  const cfg = config.mfa;
  if (cfg === undefined) return undefined;
  const logger = options.logger.child({ component: 'mfa' });
  const secretBox = createSecretBox(keyringFromConfig(cfg));
  const storeCfg: MfaConfig = cfg.store.sqlite
    ? {
        ...cfg,
        store: { sqlite: { file: resolveSqliteFile(cfg.store.sqlite.file, config.configFile) } },
      }
    : cfg;
  const store: FactorStore = await openFactorStore(storeCfg, options.clock);
  let redis: Redis | undefined;
  let timer: NodeJS.Timeout | undefined;
  const close = async (): Promise<void> => {
    if (timer !== undefined) clearInterval(timer);
    await store.close();
    if (redis !== undefined) {
      redis.on('error', () => undefined);
      if (redis.status === 'ready') await redis.quit().catch(() => redis?.disconnect());
      else redis.disconnect();
    }
  };
  try {
    if (config.session.store === 'redis') {
      redis = new Redis(config.session.redis.url, { ...FAIL_FAST_REDIS_OPTIONS });
      redis.on('error', (err: Error) => {
        logger.warn(
          { err: err.message },
          'MFA attempt limiter: Redis error; MFA fails closed until it is back',
        );
      });
      await redis.connect().catch((err: unknown) => {
        logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'MFA attempt limiter: Redis not reachable at start',
        );
      });
    }
    const limiter = createAttemptLimiter(
      redis === undefined
        ? { kind: 'memory' }
        : { kind: 'redis', redis, keyPrefix: config.session.redis.key_prefix },
      attemptLimitsFromConfig(cfg),
    );
    const service = createMfaService({
      store,
      secretBox,
      clock: options.clock,
      limiter,
      issuer: cfg.issuer,
      totpOptions: totpParamsFromConfig(cfg),
      audit: mfaAuditLogger(logger),
      enrollmentTtlSeconds: cfg.enrollment_timeout,
      freshMfaSeconds: cfg.fresh_mfa_max_age,
    });
    const counts = await service.checkStorageKeys();
    logger.info(
      {
        event: 'mfa.started',
        store: cfg.store.postgres ? 'postgres' : 'sqlite',
        factorsByKeyId: counts,
      },
      'MFA ready',
    );
    const every = options.pruneIntervalMs ?? 3_600_000;
    if (every > 0) {
      timer = setInterval(() => {
        service.pruneStale().catch((err: unknown) => {
          logger.warn({ err }, 'MFA prune failed');
        });
      }, every);
      timer.unref();
    }
    return { service, config: cfg, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err instanceof GatewayError
      ? err
      : new GatewayError('ERR_MFA_STORE_UNAVAILABLE', 'MFA could not start', { cause: err });
  }
}
