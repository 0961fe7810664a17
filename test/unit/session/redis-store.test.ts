import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  isGatewayError,
  silentLogger,
  type Identity,
} from '../../../src/core/index.js';
import { sessionSchema } from '../../../src/config/index.js';
import {
  createRedisSessionStore,
  createSessionStore,
  type SessionStore,
} from '../../../src/session/index.js';
import { redisUrl, uniqueRedisPrefix } from '../../helpers/redis.js';
import { closedPort, startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const lifetimes = { idleTimeout: 60, absoluteLifetime: 300 };
const identity: Identity = {
  issuer: 'https://idp.example.com',
  sub: 'alice',
  user: 'alice',
  groups: [],
  roles: [],
  amr: [],
  claims: {},
};
const someId = 'C'.repeat(43);
const unavailable = (e: unknown) => isGatewayError(e, 'ERR_SESSION_STORE_UNAVAILABLE');

async function rejectsQuickly(promise: Promise<unknown>, withinMs: number): Promise<void> {
  const started = Date.now();
  await expect(promise).rejects.toSatisfy(unavailable);
  expect(Date.now() - started).toBeLessThan(withinMs);
}

describe('createRedisSessionStore when Redis is unavailable', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const open = (url: string, redisOptions = {}): SessionStore => {
    const store = createRedisSessionStore({
      redis: url,
      keyPrefix: uniqueRedisPrefix('session-down'),
      clock: new ManualClock(),
      lifetimes,
      redisOptions,
    });
    cleanup.push(() => store.close());
    return store;
  };

  it('fails closed with ERR_SESSION_STORE_UNAVAILABLE at once when nothing listens', async () => {
    const store = open(`redis://127.0.0.1:${await closedPort()}`);
    await rejectsQuickly(store.get(someId), 2500);
    // Later calls fail fast too (the client is reconnecting in the background).
    await rejectsQuickly(store.get(someId), 500);
    await rejectsQuickly(store.create({ idpId: 'corp', identity, tokens: {} }), 500);
    await rejectsQuickly(store.touch(someId), 500);
    await rejectsQuickly(store.update(someId, { data: {} }), 500);
    await rejectsQuickly(store.delete(someId), 500);
    await rejectsQuickly(store.listByUser('u'), 500);
    await rejectsQuickly(store.revokeByHandle('0'.repeat(32)), 500);
    await rejectsQuickly(store.revokeUser('u'), 500);
    await rejectsQuickly(store.putEphemeral('k', {}, 10), 500);
    await rejectsQuickly(store.takeEphemeral('k'), 500);
    await rejectsQuickly(store.ping(), 500);
  });

  it('fails fast when Redis drops mid-run, and recovers when it is back', async () => {
    const proxy: TcpProxy = await startTcpProxy(redisUrl());
    cleanup.push(() => proxy.close());
    const store = open(proxy.url);
    const { id } = await store.create({ idpId: 'corp', identity, tokens: {} });
    expect(await store.get(id)).toBeDefined();
    await proxy.down();
    await rejectsQuickly(store.get(id), 1000);
    await rejectsQuickly(store.touch(id), 1000);
    await proxy.up();
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      back = await store.ping().then(
        () => true,
        () =>
          new Promise<boolean>((resolve) =>
            setTimeout(() => {
              resolve(false);
            }, 50),
          ),
      );
    }
    expect(back).toBe(true);
    expect((await store.get(id))?.id).toBe(id);
  });

  it('does not hang on a server that accepts connections but never answers', async () => {
    const proxy = await startTcpProxy(redisUrl());
    cleanup.push(() => proxy.close());
    proxy.blackhole = true;
    const store = open(proxy.url, { connectTimeout: 300, commandTimeout: 300 });
    await rejectsQuickly(store.get(someId), 2000);
    await rejectsQuickly(store.get(someId), 2000);
  });
});

describe('createRedisSessionStore with a given client', () => {
  it('uses the client and leaves it open on close', async () => {
    const client = new Redis(redisUrl(), { lazyConnect: true, enableOfflineQueue: false });
    const store = createRedisSessionStore({
      redis: client,
      keyPrefix: uniqueRedisPrefix('session-client'),
      clock: new ManualClock(),
      lifetimes,
    });
    const { id } = await store.create({ idpId: 'corp', identity, tokens: {} });
    expect((await store.get(id))?.id).toBe(id);
    await store.delete(id);
    await store.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('rejects non-positive lifetimes with ERR_CONFIG_INVALID', () => {
    expect(() =>
      createRedisSessionStore({
        redis: redisUrl(),
        clock: new ManualClock(),
        lifetimes: { idleTimeout: 0, absoluteLifetime: 10 },
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });
});

describe('createSessionStore (cached Redis) when Redis is unavailable', () => {
  it('fails closed quickly through the cache too', async () => {
    const store = createSessionStore(
      sessionSchema.parse({
        store: 'redis',
        redis: { url: `redis://127.0.0.1:${await closedPort()}`, key_prefix: 'unused:' },
      }),
      { clock: new ManualClock(), logger: silentLogger },
    );
    await rejectsQuickly(store.get(someId), 2500);
    await rejectsQuickly(store.ping(), 2500);
    await rejectsQuickly(store.delete(someId), 500);
    await store.close();
  });
});
