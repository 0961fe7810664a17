import path from 'node:path';
import { GatewayError, systemClock, type Clock } from '../../core/index.js';
import { formatProblem, loadConfig, type GatewayConfig } from '../../config/index.js';
import { keyStoreFromFiles, openKeyFile, rotateKeyFile, type RotationResult } from '../../headers/index.js';

/** Seconds added to the assertion lifetime before a former key stops being published (clock skew between instances). */
export const RETIRE_GRACE_SECONDS = 60;

/** Default time a next key is published before it signs: longer than verifiers cache the JWKS (jose: 10 minutes). */
export const DEFAULT_PUBLISH_FOR_SECONDS = 15 * 60;

async function loadValid(configFile: string, env?: Readonly<Record<string, string | undefined>>): Promise<GatewayConfig> {
  const result = await loadConfig(configFile, env === undefined ? {} : { env });
  if (!result.ok) {
    throw new GatewayError('ERR_CONFIG_INVALID', result.problems.map(formatProblem).join('\n'), { expose: true });
  }
  return result.config;
}

function keyFileOf(config: GatewayConfig): string {
  const a = config.assertion;
  if (!a.enabled) throw new GatewayError('ERR_CONFIG_INVALID', 'assertion.enabled is false: there are no assertion keys', { expose: true });
  if (a.key_file === undefined) {
    throw new GatewayError(
      'ERR_CONFIG_INVALID',
      a.private_key_file === undefined
        ? 'assertion.key_file is not set: the keys live in memory only; set assertion.key_file to keep and rotate them'
        : 'the signing key comes from assertion.private_key_file, which you manage: replace it, list the former public key in publish_key_files, and send SIGHUP',
      { expose: true },
    );
  }
  return path.resolve(path.dirname(config.configFile), a.key_file);
}

/** Options of {@link rotateAssertionKeys}. */
export interface RotateOptions {
  /** Seconds the new key is published before it signs. Default {@link DEFAULT_PUBLISH_FOR_SECONDS}. */
  readonly publishForSeconds?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
}

/**
 * `gatehouse keys rotate`: publishes a new assertion key in `assertion.key_file` now, makes it
 * sign after `publishForSeconds`, and keeps the former key published for the assertion
 * lifetime plus {@link RETIRE_GRACE_SECONDS} after that. Running gateways pick the file up
 * (watch or SIGHUP) and switch at the scheduled time.
 * @throws GatewayError `ERR_CONFIG_INVALID` for an invalid configuration, no `key_file`, or a
 *   rotation still in progress.
 */
export async function rotateAssertionKeys(configFile: string, options: RotateOptions = {}): Promise<RotationResult & { readonly file: string }> {
  const config = await loadValid(configFile, options.env);
  const file = keyFileOf(config);
  const result = await rotateKeyFile(file, {
    algorithm: config.assertion.algorithm,
    clock: options.clock ?? systemClock,
    publishForSeconds: options.publishForSeconds ?? DEFAULT_PUBLISH_FOR_SECONDS,
    retireAfterSeconds: config.assertion.ttl + RETIRE_GRACE_SECONDS,
  });
  return { ...result, file };
}

/** One published assertion key, for `gatehouse keys list`. Times in seconds since the epoch. */
export interface KeyListing {
  readonly kid: string;
  readonly state: 'current' | 'next' | 'previous';
  readonly activatesAt?: number;
  readonly publishedUntil?: number;
}

/**
 * `gatehouse keys list`: the assertion keys of the configuration (no secret): the current
 * key, the next key with its activation time, former keys with the end of their publication.
 * Creates `key_file` when it does not exist yet, as the gateway would at start.
 * @throws GatewayError `ERR_CONFIG_INVALID` as {@link rotateAssertionKeys}.
 */
export async function listAssertionKeys(
  configFile: string,
  options: Pick<RotateOptions, 'env' | 'clock'> = {},
): Promise<{ readonly algorithm: string; readonly source: string; readonly keys: readonly KeyListing[] }> {
  const config = await loadValid(configFile, options.env);
  const a = config.assertion;
  const clock = options.clock ?? systemClock;
  const dir = path.dirname(config.configFile);
  const store =
    a.private_key_file !== undefined
      ? await keyStoreFromFiles(path.resolve(dir, a.private_key_file), a.publish_key_files.map((f) => path.resolve(dir, f)), a.algorithm, clock)
      : await openKeyFile(keyFileOf(config), { algorithm: a.algorithm, clock });
  const next = store.next();
  const at = store.nextSchedule()?.activatesAt;
  const keys: KeyListing[] = [
    { kid: store.current().kid, state: 'current' },
    ...(next === undefined ? [] : [{ kid: next.kid, state: 'next' as const, ...(at === undefined ? {} : { activatesAt: at }) }]),
    ...store.previous().map((p) => ({ kid: p.jwk.kid ?? '', state: 'previous' as const, ...(p.until === undefined ? {} : { publishedUntil: p.until }) })),
  ];
  return { algorithm: a.algorithm, source: a.private_key_file ?? a.key_file ?? '', keys };
}
