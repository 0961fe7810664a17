import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/index.js';
import {
  createCachedSessionStore,
  createMemorySessionStore,
  createRedisInvalidationBus,
  createRedisSessionStore,
  redisKeyLayout,
} from '../../src/session/index.js';
import { redisUrl, uniqueRedisPrefix } from '../helpers/redis.js';
import { describeSessionStoreContract, type HarnessFactory } from './session-store.contract.js';

const CACHE_MAX_AGE_SECONDS = 5;

describeSessionStoreContract('memory', ({ clock, lifetimes }) =>
  Promise.resolve({
    store: createMemorySessionStore({ clock, lifetimes }),
    staleForMs: 0,
    close: () => Promise.resolve(),
  }),
);

/** A Redis store on a fresh prefix; `cached` puts the cache and a Redis invalidation bus in front. */
function redisHarness(cached: boolean): HarnessFactory {
  return async ({ clock, lifetimes }) => {
    const keyPrefix = uniqueRedisPrefix('session-contract');
    const client = new Redis(redisUrl());
    const open = () =>
      createRedisSessionStore({
        redis: redisUrl(),
        keyPrefix,
        clock,
        lifetimes,
        logger: silentLogger,
      });
    const base = open();
    const store = cached
      ? createCachedSessionStore(base, {
          maxEntries: 100,
          maxAgeSeconds: CACHE_MAX_AGE_SECONDS,
          clock,
          lifetimes,
          invalidation: createRedisInvalidationBus({
            url: redisUrl(),
            channel: `${keyPrefix}invalidate`,
          }),
        })
      : base;
    await store.ping();
    return {
      store,
      reopen: open,
      redis: { client, keys: redisKeyLayout(keyPrefix) },
      staleForMs: cached ? CACHE_MAX_AGE_SECONDS * 1000 : 0,
      async close() {
        await store.close();
        const keys = await client.keys(`${keyPrefix}*`);
        if (keys.length > 0) await client.del(...keys);
        await client.quit();
      },
    };
  };
}

describeSessionStoreContract('redis', redisHarness(false));
describeSessionStoreContract('cached redis', redisHarness(true));
