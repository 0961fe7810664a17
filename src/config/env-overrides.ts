import type { PathSegment } from './key-path.js';

/** An environment-like record (`process.env` shape). */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** One environment variable that overrides a key of `config/gatehouse.yaml`. */
export interface EnvOverride {
  /** Variable name, e.g. `GATEHOUSE_SESSION_STORE`. */
  readonly name: string;
  /** Key path it sets, e.g. `['session', 'store']`. */
  readonly path: readonly PathSegment[];
  /** `integer` values made of digits become numbers; anything else stays a string (and the schema says why). */
  readonly kind: 'string' | 'integer';
}

/**
 * The environment overrides, applied after the YAML file is read and before validation,
 * so an override is validated like the key it replaces. Unset or empty variables are ignored.
 */
export const ENV_OVERRIDES: readonly EnvOverride[] = Object.freeze([
  { name: 'GATEHOUSE_SESSION_STORE', path: ['session', 'store'], kind: 'string' },
  { name: 'GATEHOUSE_REDIS_URL', path: ['session', 'redis', 'url'], kind: 'string' },
  { name: 'GATEHOUSE_LISTEN_PORT', path: ['listen', 'port'], kind: 'integer' },
  { name: 'GATEHOUSE_PUBLIC_URL', path: ['public_url'], kind: 'string' },
  { name: 'GATEHOUSE_LOG_LEVEL', path: ['logging', 'level'], kind: 'string' },
]);

/**
 * Applies {@link ENV_OVERRIDES} to the raw (pre-validation) config object in place, creating
 * intermediate maps when missing. A non-map intermediate value is replaced by a map.
 * @returns the applied overrides (variable names by formatted key path).
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: EnvRecord): EnvOverride[] {
  const applied: EnvOverride[] = [];
  for (const o of ENV_OVERRIDES) {
    const value = env[o.name];
    if (value === undefined || value === '') continue;
    let target: Record<string, unknown> = raw;
    for (const seg of o.path.slice(0, -1)) {
      const key = String(seg);
      const next = target[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const last = String(o.path[o.path.length - 1]);
    target[last] =
      o.kind === 'integer' && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : value;
    applied.push(o);
  }
  return applied;
}

/** Settings the CLI reads from the environment. */
export interface CliEnv {
  /** `GATEHOUSE_CONFIG`: path of the main config file. */
  readonly configFile?: string;
}

/**
 * Reads the CLI's environment settings: `GATEHOUSE_CONFIG` (config file path).
 * Empty values count as unset.
 * @param env defaults to `process.env`.
 */
export function readCliEnv(env: EnvRecord = process.env): CliEnv {
  const configFile = env.GATEHOUSE_CONFIG;
  return configFile === undefined || configFile === '' ? {} : { configFile };
}
