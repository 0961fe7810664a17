import type { Clock, Logger } from '../core/index.js';
import type { SessionConfig } from '../config/index.js';
import { createCachedSessionStore } from './cached-store.js';
import { createMemorySessionStore } from './memory-store.js';
import { createRedisInvalidationBus } from './redis-invalidation-bus.js';
import { createRedisSessionStore } from './redis-store.js';
import type { SessionLifetimes, SessionStore } from './types.js';

/** Dependencies of {@link createSessionStore}. */
export interface SessionStoreDeps {
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The lifetimes (seconds) from the `session` config section. */
export function lifetimesFromConfig(config: SessionConfig): SessionLifetimes {
  return { idleTimeout: config.idle_timeout, absoluteLifetime: config.absolute_lifetime };
}

/**
 * Builds the session store the config asks for; nothing connects until first use
 * (call `ping()` at startup to connect eagerly and check Redis).
 * - `store: memory` — {@link createMemorySessionStore} (single instance; sessions die with the process).
 * - `store: redis` — {@link createRedisSessionStore} under `redis.key_prefix`, behind
 *   {@link createCachedSessionStore} (`cache.max_entries`, `cache.max_age` seconds) with a
 *   Redis pub/sub invalidation bus on channel `<key_prefix>invalidate`. With `max_entries`
 *   or `max_age` 0 the cache is left out (every request reads and touches Redis).
 * The returned store's `close()` closes every connection it opened.
 * @throws GatewayError `ERR_CONFIG_INVALID` when a lifetime is not positive.
 */
export function createSessionStore(config: SessionConfig, deps: SessionStoreDeps): SessionStore {
  const lifetimes = lifetimesFromConfig(config);
  const { clock, logger } = deps;
  if (config.store === 'memory') return createMemorySessionStore({ clock, lifetimes });
  const store = createRedisSessionStore({
    redis: config.redis.url,
    keyPrefix: config.redis.key_prefix,
    clock,
    lifetimes,
    logger,
  });
  if (config.cache.max_entries === 0 || config.cache.max_age === 0) return store;
  return createCachedSessionStore(store, {
    maxEntries: config.cache.max_entries,
    maxAgeSeconds: config.cache.max_age,
    clock,
    lifetimes,
    invalidation: createRedisInvalidationBus({
      url: config.redis.url,
      channel: `${config.redis.key_prefix}invalidate`,
      logger,
    }),
    logger,
  });
}
