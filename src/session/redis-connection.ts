import { Redis, type RedisOptions } from 'ioredis';
import { GatewayError, type Logger } from '../core/index.js';

/**
 * ioredis options that make commands fail fast instead of queueing while Redis is away
 * (the gateway fails closed rather than hanging requests). Timeouts in milliseconds.
 * - `lazyConnect: true`: nothing connects on construction; {@link RedisConnection.ready} does.
 * - `enableOfflineQueue: false`: a command while disconnected rejects at once.
 * - `maxRetriesPerRequest: 1`, `connectTimeout: 2000`, `commandTimeout: 2000`.
 * - `retryStrategy`: reconnect in the background after 100 ms, backing off to 2 s.
 */
export const FAIL_FAST_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 2000,
  retryStrategy: (times: number) => Math.min(times * 100, 2000),
});

/** A Redis client given by the caller, or a `redis://` / `rediss://` URL to open one. */
export type RedisClientInput = Redis | string;

/** A Redis client plus the logic to bring it up once and to fail fast while it is down. */
export interface RedisConnection {
  /** The underlying ioredis client. */
  readonly client: Redis;
  /**
   * The client, connected. Connects on first use (at most `connectTimeout` ms); while a
   * connection is being re-established, rejects at once.
   * @throws GatewayError `ERR_SESSION_STORE_UNAVAILABLE` when Redis is not connected.
   */
  ready(): Promise<Redis>;
  /** Closes the client if this connection opened it (`QUIT`, else a hard disconnect). */
  close(): Promise<void>;
}

/** The error every Redis failure becomes (callers fail closed). */
export function storeUnavailable(cause: unknown): GatewayError {
  if (cause instanceof GatewayError) return cause;
  return new GatewayError('ERR_SESSION_STORE_UNAVAILABLE', 'session store (Redis) is unavailable', {
    cause,
  });
}

/**
 * Wraps a Redis client (or opens one from a URL with {@link FAIL_FAST_REDIS_OPTIONS}).
 * Does not connect: the first {@link RedisConnection.ready} call does.
 * The URL may hold a password: it is never logged.
 */
export function openRedisConnection(
  input: RedisClientInput,
  options: { readonly logger: Logger; readonly role: string; readonly redisOptions?: RedisOptions },
): RedisConnection {
  const owned = typeof input === 'string';
  const client =
    typeof input === 'string'
      ? new Redis(input, { ...FAIL_FAST_REDIS_OPTIONS, ...options.redisOptions })
      : input;
  const log = options.logger.child({ component: 'redis', role: options.role });
  let healthy = true;
  const onError = (error: Error): void => {
    if (healthy)
      log.warn({ err: error.message }, 'Redis connection error; failing closed until it is back');
    healthy = false;
  };
  const onReady = (): void => {
    if (!healthy) log.info('Redis connection re-established');
    healthy = true;
  };
  client.on('error', onError);
  client.on('ready', onReady);
  let connecting: Promise<void> | undefined;

  async function ready(): Promise<Redis> {
    if (client.status === 'ready') return client;
    if (client.status === 'wait') {
      connecting ??= client.connect().finally(() => {
        connecting = undefined;
      });
    }
    if (connecting !== undefined) {
      // Bound the wait: a server that accepts TCP but never answers must not hang callers.
      const limitMs = client.options.connectTimeout ?? 2000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`Redis did not become ready within ${limitMs} ms`));
        }, limitMs);
      });
      try {
        await Promise.race([connecting, timeout]);
      } catch (cause) {
        throw storeUnavailable(cause);
      } finally {
        clearTimeout(timer);
      }
    }
    // Re-read: the awaited connect may have changed the status.
    if ((client.status as string) !== 'ready') {
      throw storeUnavailable(new Error(`Redis connection is ${client.status}`));
    }
    return client;
  }

  async function close(): Promise<void> {
    client.off('error', onError);
    client.off('ready', onReady);
    if (!owned) return;
    // A client that never connected or is reconnecting has nothing to QUIT.
    client.on('error', () => undefined);
    if (client.status !== 'ready') {
      client.disconnect();
      return;
    }
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }

  return { client, ready, close };
}
