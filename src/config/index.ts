export * from './duration.js';
export * from './gateway-schema.js';
export * from './mfa-schema.js';
export * from './policy-schema.js';
export * from './types.js';
export { parseCidr, type CidrCheck } from './cidr.js';
export { configError } from './config-error.js';
export { watchConfig, type ConfigWatcher, type WatchConfigOptions } from './config-watcher.js';
export { deepFreeze, type DeepReadonly } from './deep-freeze.js';
export {
  ENV_OVERRIDES,
  readCliEnv,
  type CliEnv,
  type EnvOverride,
  type EnvRecord,
} from './env-overrides.js';
export { gatewayJsonSchema, GATEWAY_JSON_SCHEMA_ID } from './json-schema.js';
export { formatKeyPath } from './key-path.js';
export { loadConfig, type LoadOptions, type LoadResult } from './load-config.js';
