import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRedisInvalidationBus,
  type InvalidationEvent,
  type SessionInvalidationBus,
} from '../../../src/session/index.js';
import { redisUrl, uniqueRedisPrefix } from '../../helpers/redis.js';
import { closedPort, startTcpProxy } from './tcp-proxy.js';

/** Collects events and lets a test await the next one matching a predicate. */
function recorder(bus: SessionInvalidationBus) {
  const events: InvalidationEvent[] = [];
  const waiters: { match: (e: InvalidationEvent) => boolean; resolve: () => void }[] = [];
  bus.subscribe((event) => {
    events.push(event);
    for (const w of [...waiters]) {
      if (w.match(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  return {
    events,
    next: (match: (e: InvalidationEvent) => boolean) =>
      new Promise<void>((resolve) => waiters.push({ match, resolve })),
  };
}

describe('createRedisInvalidationBus', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const bus = (url: string, channel: string) => {
    const b = createRedisInvalidationBus({ url, channel });
    cleanup.push(() => b.close());
    return b;
  };

  it('delivers messages to every subscriber and ignores malformed ones', async () => {
    const channel = `${uniqueRedisPrefix('bus')}invalidate`;
    const a = bus(redisUrl(), channel);
    const b = bus(redisUrl(), channel);
    expect(b.isLive()).toBe(false);
    await Promise.all([a.start(), b.start()]);
    expect(b.isLive()).toBe(true);
    const seen = recorder(b);
    const raw = new Redis(redisUrl());
    cleanup.push(() => raw.quit());
    await raw.publish(channel, 'not json');
    await raw.publish(channel, JSON.stringify({ v: 1, handles: ['x'], users: [] }));
    const handle = 'a'.repeat(32);
    const arrived = seen.next((e) => e.type === 'invalidate');
    await a.publish({ handles: [handle], users: ['u1'] });
    await arrived;
    expect(seen.events).toEqual([{ type: 'invalidate', handles: [handle], users: ['u1'] }]);
  });

  it('reports not live and resets when the subscription drops, and recovers', async () => {
    const channel = `${uniqueRedisPrefix('bus')}invalidate`;
    const proxy = await startTcpProxy(redisUrl());
    cleanup.push(() => proxy.close());
    const b = bus(proxy.url, channel);
    await b.start();
    const seen = recorder(b);
    const dropped = seen.next((e) => e.type === 'reset');
    proxy.cut();
    await dropped;
    expect(b.isLive()).toBe(false);
    await seen.next((e) => e.type === 'reset'); // resubscribed
    expect(b.isLive()).toBe(true);
    const publisher = bus(redisUrl(), channel);
    const arrived = seen.next((e) => e.type === 'invalidate');
    await publisher.publish({ handles: [], users: ['u2'] });
    await arrived;
  });

  it('start and publish fail with ERR_SESSION_STORE_UNAVAILABLE when Redis is away', async () => {
    const b = bus(`redis://127.0.0.1:${await closedPort()}`, 'c');
    await expect(b.start()).rejects.toMatchObject({ code: 'ERR_SESSION_STORE_UNAVAILABLE' });
    await expect(b.publish({ handles: [], users: [] })).rejects.toMatchObject({
      code: 'ERR_SESSION_STORE_UNAVAILABLE',
    });
    expect(b.isLive()).toBe(false);
  });
});
