/**
 * Server-side sessions: the `SessionStore` contract, memory and Redis stores, a bounded
 * cache with cross-instance invalidation, the session cookie codec and id helpers.
 */
export type * from './types.js';
export { createMemorySessionStore, type MemorySessionStoreOptions } from './memory-store.js';
export { createRedisSessionStore, type RedisSessionStoreOptions } from './redis-store.js';
export {
  createCachedSessionStore,
  type CachedSessionStore,
  type CachedSessionStoreOptions,
} from './cached-store.js';
export {
  createLocalInvalidationBus,
  type InvalidationEvent,
  type InvalidationListener,
  type InvalidationMessage,
  type SessionInvalidationBus,
} from './invalidation-bus.js';
export {
  createRedisInvalidationBus,
  type RedisInvalidationBusOptions,
} from './redis-invalidation-bus.js';
export { FAIL_FAST_REDIS_OPTIONS, type RedisClientInput } from './redis-connection.js';
export { redisKeyLayout, type RedisKeyLayout } from './redis-codec.js';
export { createSessionStore, lifetimesFromConfig, type SessionStoreDeps } from './factory.js';
export {
  createSessionCookieCodec,
  isHttpsUrl,
  type SessionCookieCodec,
  type SessionCookieOptions,
} from './cookie-codec.js';
export {
  generateSessionId,
  isWellFormedHandle,
  isWellFormedSessionId,
  sessionHandle,
  sessionStorageKey,
  SESSION_ID_BYTES,
} from './session-id.js';
