import { LRUCache } from 'lru-cache';
import { epochSeconds, silentLogger, userKey, type Clock, type Logger } from '../core/index.js';
import type {
  InvalidationEvent,
  InvalidationListener,
  InvalidationMessage,
  SessionInvalidationBus,
} from './invalidation-bus.js';
import { isLive, validateLifetimes } from './lifetimes.js';
import { isWellFormedHandle, isWellFormedSessionId, sessionHandle } from './session-id.js';
import type { SessionLifetimes, SessionRecord, SessionStore } from './types.js';

/** Options of {@link createCachedSessionStore}. */
export interface CachedSessionStoreOptions {
  /** Most sessions kept in the cache (least recently used go first). At least 1. */
  readonly maxEntries: number;
  /** Longest a cached session is served without asking the store again, in seconds (a few). */
  readonly maxAgeSeconds: number;
  /** Source of time (milliseconds). */
  readonly clock: Clock;
  /** The lifetimes the inner store enforces, in seconds (checked on cached hits too). */
  readonly lifetimes: SessionLifetimes;
  /** Carries invalidations between instances; the cached store starts it and closes it. */
  readonly invalidation: SessionInvalidationBus;
  readonly logger?: Logger;
}

/** A {@link SessionStore} with an in-process cache, plus hooks for tests and metrics. */
export interface CachedSessionStore extends SessionStore {
  /** Number of sessions currently cached. */
  cacheSize(): number;
  /** Calls `listener` after this instance has applied an invalidation event; returns an unsubscribe function. */
  onInvalidation(listener: InvalidationListener): () => void;
}

interface Entry {
  /** The record as the inner store has it (its `lastSeenAt` is what was last written). */
  readonly record: SessionRecord;
  /** When the entry was filled, milliseconds by the clock. */
  readonly cachedAt: number;
  /** Latest activity seen by this instance, seconds since the epoch (≥ record.lastSeenAt). */
  seen: number;
  /** `record` with `lastSeenAt: seen` (built once per change of `seen`, not per read). */
  view: SessionRecord;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Puts a bounded in-process cache (lru-cache) in front of `inner`, so most requests do not
 * reach Redis. Entries are served for at most `maxAgeSeconds` and only while the
 * invalidation bus is live; delete, update and revocations evict locally, then publish the
 * session handles / user keys so every instance evicts them too.
 *
 * The bus is started on first use (or by `ping`); the cache serves nothing until it is live.
 * Cached records are deep-frozen and shared between calls: treat them as read-only.
 *
 * `touch` is throttled: it writes through only when the stored `lastSeenAt` is older than
 * max(1 s, idleTimeout / 20); in between it records activity in this instance's cache only.
 * Effect on precision: the store (and other instances) may see a session idle for up to that
 * interval longer than it really is, so an idle session can expire up to
 * max(1 s, idleTimeout / 20) early (5 % of the idle timeout) — never late. The absolute
 * lifetime is unaffected.
 * @throws GatewayError `ERR_CONFIG_INVALID` when a lifetime is not positive.
 */
export function createCachedSessionStore(
  inner: SessionStore,
  options: CachedSessionStoreOptions,
): CachedSessionStore {
  const { clock, invalidation } = options;
  const lifetimes = validateLifetimes(options.lifetimes);
  const logger = (options.logger ?? silentLogger).child({ component: 'session-cache' });
  const maxAgeMs = options.maxAgeSeconds * 1000;
  const touchIntervalSeconds = Math.max(1, lifetimes.idleTimeout / 20);
  const maxEntries = Math.max(1, Math.floor(options.maxEntries));
  const cache = new LRUCache<string, Entry>({ max: maxEntries });
  /** Session id → handle: spares a SHA-256 per get and per touch of a cached session. */
  const handles = new LRUCache<string, string>({ max: maxEntries });
  function handleOf(id: string): string {
    let handle = handles.get(id);
    if (handle === undefined) {
      handle = sessionHandle(id);
      handles.set(id, handle);
    }
    return handle;
  }
  const listeners = new Set<InvalidationListener>();
  /** Bumped on every invalidation: a read that started before one must not fill the cache. */
  let epoch = 0;

  function evict(message: InvalidationMessage): void {
    epoch += 1;
    for (const handle of message.handles) cache.delete(handle);
    if (message.users.length > 0) {
      const users = new Set(message.users);
      for (const [handle, entry] of cache.entries()) {
        if (users.has(userKey(entry.record.identity))) cache.delete(handle);
      }
    }
  }

  function apply(event: InvalidationEvent): void {
    if (event.type === 'reset') {
      epoch += 1;
      cache.clear();
    } else {
      evict(event);
    }
    for (const listener of [...listeners]) listener(event);
  }

  const unsubscribe = invalidation.subscribe(apply);
  let started = false;
  /** Starts the bus on first use (nothing connects at construction); until live, the cache is bypassed. */
  function startBus(): void {
    if (started) return;
    started = true;
    invalidation.start().catch((error: unknown) => {
      logger.warn(
        { err: String(error) },
        'session invalidation bus not started; cache bypassed until it is',
      );
    });
  }

  function fill(record: SessionRecord, startEpoch: number): void {
    if (startEpoch !== epoch || !invalidation.isLive()) return;
    const frozen = deepFreeze(record);
    cache.set(record.handle, {
      record: frozen,
      cachedAt: clock.now(),
      seen: frozen.lastSeenAt,
      view: frozen,
    });
  }

  /** A fresh cache entry for exactly this id, if any. */
  function lookup(id: string, handle: string): Entry | undefined {
    const entry = cache.get(handle);
    if (entry === undefined) return undefined;
    if (
      entry.record.id !== id ||
      !invalidation.isLive() ||
      clock.now() - entry.cachedAt >= maxAgeMs
    ) {
      cache.delete(handle);
      return undefined;
    }
    return entry;
  }

  /** Evicts locally, runs the change, evicts again and tells the other instances. */
  async function invalidate<T>(message: InvalidationMessage, change: () => Promise<T>): Promise<T> {
    evict(message);
    const result = await change();
    evict(message);
    try {
      await invalidation.publish(message);
    } catch (error) {
      logger.error(
        { err: String(error), handles: message.handles, users: message.users },
        'session invalidation not published; other instances may serve the session until their cache entry ages out',
      );
    }
    return result;
  }

  return {
    async create(input) {
      startBus();
      const startEpoch = epoch;
      const record = await inner.create(input);
      fill(structuredClone(record), startEpoch);
      return record;
    },

    async get(id) {
      if (!isWellFormedSessionId(id)) return undefined;
      startBus();
      const handle = handleOf(id);
      const entry = lookup(id, handle);
      if (entry !== undefined) {
        const record = entry.view;
        if (isLive(record, lifetimes, clock)) return record;
        // Looks expired here; another instance may have seen activity since: ask the store.
        cache.delete(handle);
      }
      const startEpoch = epoch;
      const record = await inner.get(id);
      if (record !== undefined) fill(structuredClone(record), startEpoch);
      return record;
    },

    async touch(id) {
      if (!isWellFormedSessionId(id)) return;
      const now = epochSeconds(clock);
      const handle = handleOf(id);
      const entry = lookup(id, handle);
      if (entry !== undefined && now - entry.record.lastSeenAt < touchIntervalSeconds) {
        if (now > entry.seen) {
          entry.seen = now;
          entry.view = Object.freeze({ ...entry.record, lastSeenAt: now });
        }
        return;
      }
      const startEpoch = epoch;
      await inner.touch(id);
      // Keep the entry's age: a touch does not prove the session still exists.
      if (entry !== undefined && cache.get(handle) === entry && startEpoch === epoch) {
        const record = deepFreeze({ ...entry.record, lastSeenAt: now });
        cache.set(handle, { record, cachedAt: entry.cachedAt, seen: now, view: record });
      }
    },

    update(id, patch) {
      return invalidate({ handles: [handleOf(id)], users: [] }, () => inner.update(id, patch));
    },

    delete(id) {
      const handle = handleOf(id);
      handles.delete(id);
      return invalidate({ handles: [handle], users: [] }, () => inner.delete(id));
    },

    listByUser: (key) => inner.listByUser(key),

    revokeByHandle(handle) {
      if (!isWellFormedHandle(handle)) return inner.revokeByHandle(handle);
      return invalidate({ handles: [handle], users: [] }, () => inner.revokeByHandle(handle));
    },

    revokeUser(key) {
      return invalidate({ handles: [], users: [key] }, () => inner.revokeUser(key));
    },

    putEphemeral: (key, value, ttlSeconds) => inner.putEphemeral(key, value, ttlSeconds),
    takeEphemeral: (key) => inner.takeEphemeral(key),

    async ping() {
      started = true;
      await inner.ping();
      await invalidation.start();
    },

    async close() {
      unsubscribe();
      listeners.clear();
      cache.clear();
      handles.clear();
      await Promise.all([inner.close(), invalidation.close()]);
    },

    cacheSize: () => cache.size,

    onInvalidation(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
