import { silentLogger, type Logger } from '../core/index.js';
import type {
  InvalidationListener,
  InvalidationMessage,
  SessionInvalidationBus,
} from './invalidation-bus.js';
import {
  FAIL_FAST_REDIS_OPTIONS,
  openRedisConnection,
  storeUnavailable,
} from './redis-connection.js';
import { isWellFormedHandle } from './session-id.js';

/** Options of {@link createRedisInvalidationBus}. */
export interface RedisInvalidationBusOptions {
  /** `redis://` or `rediss://` URL; the bus opens its own subscriber and publisher connections. */
  readonly url: string;
  /** Pub/sub channel, e.g. `gatehouse:invalidate` (prefix the store's key prefix). */
  readonly channel: string;
  readonly logger?: Logger;
}

/** Largest number of handles or users accepted in one message (bounds work per message). */
const MAX_ITEMS = 10_000;

function parseMessage(text: string): InvalidationMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { v, handles, users } = value as Record<string, unknown>;
    if (v !== 1 || !Array.isArray(handles) || !Array.isArray(users)) return undefined;
    if (handles.length > MAX_ITEMS || users.length > MAX_ITEMS) return undefined;
    const goodHandles = handles.filter(
      (h): h is string => typeof h === 'string' && isWellFormedHandle(h),
    );
    const goodUsers = users.filter((u): u is string => typeof u === 'string');
    if (goodHandles.length !== handles.length || goodUsers.length !== users.length)
      return undefined;
    return { handles: goodHandles, users: goodUsers };
  } catch {
    return undefined;
  }
}

/**
 * An invalidation bus over Redis pub/sub (`PUBLISH` / `SUBSCRIBE`, JSON `{ v: 1, handles, users }`).
 * It uses its own subscriber connection (a subscribed connection can do nothing else) and a
 * fail-fast publisher connection. Whenever the subscription drops or is re-established it
 * emits `reset` and reports not live in between, so caches never serve entries while
 * messages could be missed. Nothing connects before {@link SessionInvalidationBus.start}.
 */
export function createRedisInvalidationBus(
  options: RedisInvalidationBusOptions,
): SessionInvalidationBus {
  const logger = (options.logger ?? silentLogger).child({ component: 'session-invalidation' });
  const { channel } = options;
  const subscriber = openRedisConnection(options.url, {
    logger,
    role: 'invalidation-subscriber',
    redisOptions: { ...FAIL_FAST_REDIS_OPTIONS, autoResubscribe: false, keepAlive: 30_000 },
  });
  const publisher = openRedisConnection(options.url, { logger, role: 'invalidation-publisher' });
  const listeners = new Set<InvalidationListener>();
  let live = false;
  let closed = false;
  /** start() was called: keep the subscription up across reconnections. */
  let wanted = false;
  let starting: Promise<void> | undefined;

  const emit = (event: Parameters<InvalidationListener>[0]): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: String(error) }, 'invalidation listener failed');
      }
    }
  };

  const client = subscriber.client;
  client.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    const message = parseMessage(text);
    if (message === undefined) {
      logger.warn('malformed session invalidation message ignored');
      return;
    }
    emit({ type: 'invalidate', ...message });
  });
  const down = (): void => {
    if (!live) return;
    live = false;
    emit({ type: 'reset' });
  };
  client.on('close', down);
  client.on('end', down);

  async function subscribe(): Promise<void> {
    await client.subscribe(channel);
    if (closed) return;
    live = true;
    emit({ type: 'reset' });
  }
  // After a reconnection, subscribe again; messages in the gap are covered by `reset`.
  client.on('ready', () => {
    if (!wanted || starting !== undefined || live || closed) return;
    subscribe().catch((error: unknown) => {
      logger.warn({ err: String(error) }, 'resubscribing to session invalidations failed');
    });
  });

  return {
    start() {
      if (live) return Promise.resolve();
      wanted = true;
      starting ??= (async () => {
        try {
          await subscriber.ready();
          await subscribe(); // SUBSCRIBE is idempotent
        } catch (error) {
          throw storeUnavailable(error);
        } finally {
          starting = undefined;
        }
      })();
      return starting;
    },
    isLive: () => live && !closed,
    async publish(message) {
      const text = JSON.stringify({ v: 1, handles: message.handles, users: message.users });
      try {
        await (await publisher.ready()).publish(channel, text);
      } catch (error) {
        throw storeUnavailable(error);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      live = false;
      listeners.clear();
      await Promise.all([subscriber.close(), publisher.close()]);
    },
  };
}
