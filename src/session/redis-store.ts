import type { Redis, RedisOptions } from 'ioredis';
import { silentLogger, type Clock, type Logger } from '../core/index.js';
import { remainingMs, isLive, validateEphemeralTtl, validateLifetimes } from './lifetimes.js';
import { applyPatch, buildRecord, recordUserKey, summarize } from './record.js';
import {
  decodeEphemeral,
  decodeSession,
  encodeEphemeral,
  encodeSession,
  redisKeyLayout,
  type StoredSession,
} from './redis-codec.js';
import {
  openRedisConnection,
  storeUnavailable,
  type RedisClientInput,
} from './redis-connection.js';
import {
  generateSessionId,
  isWellFormedHandle,
  isWellFormedSessionId,
  sessionHandle,
  sessionStorageKey,
} from './session-id.js';
import type { SessionLifetimes, SessionRecord, SessionStore, SessionSummary } from './types.js';

/** Options of {@link createRedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /**
   * An ioredis 5 client, or a `redis://` / `rediss://` URL (a client is then opened with
   * `FAIL_FAST_REDIS_OPTIONS` and closed by `close()`). A given client is not closed; give it
   * fail-fast options too (`enableOfflineQueue: false`, `commandTimeout`).
   */
  readonly redis: RedisClientInput;
  /** Prefix of every key, e.g. `gatehouse:`. Default `gatehouse:`. */
  readonly keyPrefix?: string;
  /** Source of time (milliseconds); lifetimes are enforced against it on every read. */
  readonly clock: Clock;
  /** Idle timeout and absolute lifetime, in seconds. */
  readonly lifetimes: SessionLifetimes;
  readonly logger?: Logger;
  /** Extra ioredis options when `redis` is a URL (override the fail-fast defaults). */
  readonly redisOptions?: RedisOptions;
}

/** Compare-and-set: replaces KEYS[1] with ARGV[2] (TTL ARGV[3] ms) only if it still holds ARGV[1]. */
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if current ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const MAX_CAS_ATTEMPTS = 5;

type Multi = ReturnType<Redis['multi']>;

/**
 * A session store in Redis, shared by every gateway instance and by the CLI (no state is
 * kept in process). Layout (see `redisKeyLayout`): the session document under
 * `<prefix>s:<sha256(id)>` as versioned JSON without the id, a handle → storage key entry,
 * and a per-user set of storage keys. Every write carries a TTL: a session's is
 * min(idle timeout, absolute lifetime left), so idle sessions also expire in Redis itself;
 * both limits are enforced again against `clock` on every read. Updates are
 * compare-and-set, so a concurrent `touch` never undoes an `update`.
 *
 * Every method rejects with GatewayError `ERR_SESSION_STORE_UNAVAILABLE` when Redis fails
 * or is not connected (commands fail fast, never queue). Needs Redis ≥ 6.2 (`GETDEL`).
 * Nothing connects until the first call.
 * @throws GatewayError `ERR_CONFIG_INVALID` when a lifetime is not positive.
 */
export function createRedisSessionStore(options: RedisSessionStoreOptions): SessionStore {
  const { clock } = options;
  const lifetimes = validateLifetimes(options.lifetimes);
  const logger = (options.logger ?? silentLogger).child({ component: 'session-store' });
  const keys = redisKeyLayout(options.keyPrefix ?? 'gatehouse:');
  const connection = openRedisConnection(options.redis, {
    logger,
    role: 'session-store',
    ...(options.redisOptions === undefined ? {} : { redisOptions: options.redisOptions }),
  });

  /** Runs `fn` with a connected client; any failure other than a GatewayError becomes unavailable. */
  async function guard<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn(await connection.ready());
    } catch (error) {
      throw storeUnavailable(error);
    }
  }

  async function exec(multi: Multi): Promise<unknown[]> {
    const results = await multi.exec();
    if (results === null) throw new Error('Redis transaction aborted');
    return results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  function decode(text: string | null, where: string): StoredSession | undefined {
    if (text === null) return undefined;
    const decoded = decodeSession(text);
    switch (decoded.kind) {
      case 'ok':
        return decoded.doc;
      case 'unknown-version':
        logger.debug(
          { key: where, version: decoded.version },
          'session of an unknown version ignored',
        );
        return undefined;
      case 'corrupt':
        logger.warn({ key: where }, 'malformed session document ignored');
        return undefined;
    }
  }

  function removeSession(multi: Multi, storageKey: string, doc: StoredSession | undefined): Multi {
    multi.del(keys.session(storageKey));
    if (doc !== undefined) {
      multi.del(keys.handle(doc.handle));
      multi.srem(keys.user(recordUserKey(doc)), storageKey);
    }
    return multi;
  }

  /** The live record for `id`; an expired one is deleted. */
  async function load(
    redis: Redis,
    id: string,
  ): Promise<{ record: SessionRecord; text: string } | undefined> {
    const storageKey = sessionStorageKey(id);
    const text = await redis.get(keys.session(storageKey));
    const doc = decode(text, storageKey);
    if (text === null || doc === undefined) return undefined;
    if (doc.handle !== sessionHandle(id)) return undefined;
    if (!isLive(doc, lifetimes, clock)) {
      await exec(removeSession(redis.multi(), storageKey, doc));
      return undefined;
    }
    return { record: { ...doc, id }, text };
  }

  /** Read-modify-write of a live session with compare-and-set; `undefined` when gone. */
  async function rewrite(
    redis: Redis,
    id: string,
    change: (record: SessionRecord) => SessionRecord,
  ): Promise<SessionRecord | undefined> {
    const key = keys.session(sessionStorageKey(id));
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await load(redis, id);
      if (current === undefined) return undefined;
      const next = change(current.record);
      const ttl = Math.ceil(remainingMs(next, lifetimes, clock));
      if (ttl <= 0) return undefined;
      const outcome = await redis.eval(CAS_SCRIPT, 1, key, current.text, encodeSession(next), ttl);
      if (outcome === 1) return next;
      if (outcome === 0) return undefined;
    }
    throw new Error(`session changed concurrently ${MAX_CAS_ATTEMPTS} times in a row`);
  }

  return {
    create: (input) =>
      guard(async (redis) => {
        const id = generateSessionId();
        const record = buildRecord(id, input, clock);
        const storageKey = sessionStorageKey(id);
        const ttl = Math.max(1, Math.ceil(remainingMs(record, lifetimes, clock)));
        const absoluteTtl = Math.ceil(lifetimes.absoluteLifetime * 1000);
        const userSet = keys.user(recordUserKey(record));
        await exec(
          redis
            .multi()
            .set(keys.session(storageKey), encodeSession(record), 'PX', ttl)
            .set(keys.handle(record.handle), storageKey, 'PX', absoluteTtl)
            .sadd(userSet, storageKey)
            // Every member was created earlier, so none outlives this expiry.
            .pexpire(userSet, absoluteTtl),
        );
        return record;
      }),

    get: (id) =>
      isWellFormedSessionId(id)
        ? guard(async (redis) => (await load(redis, id))?.record)
        : Promise.resolve(undefined),

    touch: (id) =>
      isWellFormedSessionId(id)
        ? guard(async (redis) => {
            const lastSeenAt = Math.floor(clock.now() / 1000);
            await rewrite(redis, id, (record) => ({ ...record, lastSeenAt }));
          })
        : Promise.resolve(),

    update: (id, patch) =>
      isWellFormedSessionId(id)
        ? guard((redis) => rewrite(redis, id, (record) => applyPatch(record, patch)))
        : Promise.resolve(undefined),

    delete: (id) =>
      guard(async (redis) => {
        const storageKey = sessionStorageKey(id);
        const doc = decode(await redis.get(keys.session(storageKey)), storageKey);
        await exec(
          removeSession(redis.multi(), storageKey, doc).del(keys.handle(sessionHandle(id))),
        );
      }),

    listByUser: (userKey) =>
      guard(async (redis) => {
        const members = await redis.smembers(keys.user(userKey));
        if (members.length === 0) return [];
        const texts = await redis.mget(members.map((m) => keys.session(m)));
        const summaries: SessionSummary[] = [];
        const cleanup = redis.multi();
        let dirty = false;
        for (const [i, storageKey] of members.entries()) {
          const text = texts[i] ?? null;
          const doc = decode(text, storageKey);
          if (text === null) {
            cleanup.srem(keys.user(userKey), storageKey);
            dirty = true;
          } else if (doc !== undefined && !isLive(doc, lifetimes, clock)) {
            removeSession(cleanup, storageKey, doc);
            dirty = true;
          } else if (doc !== undefined) {
            summaries.push(summarize(doc));
          }
        }
        if (dirty) await exec(cleanup);
        return summaries.sort(
          (a, b) => a.createdAt - b.createdAt || a.handle.localeCompare(b.handle),
        );
      }),

    revokeByHandle: (handle) =>
      isWellFormedHandle(handle)
        ? guard(async (redis) => {
            const storageKey = await redis.get(keys.handle(handle));
            if (storageKey === null) return false;
            const text = await redis.get(keys.session(storageKey));
            const doc = decode(text, storageKey);
            await exec(removeSession(redis.multi(), storageKey, doc).del(keys.handle(handle)));
            return text !== null && (doc === undefined || isLive(doc, lifetimes, clock));
          })
        : Promise.resolve(false),

    revokeUser: (userKey) =>
      guard(async (redis) => {
        const members = await redis.smembers(keys.user(userKey));
        if (members.length === 0) return 0;
        const texts = await redis.mget(members.map((m) => keys.session(m)));
        const multi = redis.multi();
        let count = 0;
        members.forEach((storageKey, i) => {
          const doc = decode(texts[i] ?? null, storageKey);
          if (doc !== undefined && isLive(doc, lifetimes, clock)) count += 1;
          removeSession(multi, storageKey, doc);
        });
        // SREM what was read rather than DEL: a session created meanwhile stays indexed.
        await exec(multi.srem(keys.user(userKey), ...members));
        return count;
      }),

    putEphemeral: (key, value, ttlSeconds) =>
      guard(async (redis) => {
        validateEphemeralTtl(ttlSeconds);
        const ttl = Math.ceil(ttlSeconds * 1000);
        await redis.set(keys.ephemeral(key), encodeEphemeral(value, clock.now() + ttl), 'PX', ttl);
      }),

    takeEphemeral: (key) =>
      guard(async (redis) => {
        const text = await redis.getdel(keys.ephemeral(key));
        return text === null ? undefined : decodeEphemeral(text, clock.now());
      }),

    ping: () =>
      guard(async (redis) => {
        await redis.ping();
      }),

    close: () => connection.close(),
  };
}
