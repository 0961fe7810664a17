import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, userKey, type Identity } from '../../../src/core/index.js';
import {
  createCachedSessionStore,
  createLocalInvalidationBus,
  createMemorySessionStore,
  createRedisInvalidationBus,
  createRedisSessionStore,
  type CachedSessionStore,
  type InvalidationEvent,
  type SessionInvalidationBus,
  type SessionStore,
} from '../../../src/session/index.js';
import { redisUrl, uniqueRedisPrefix } from '../../helpers/redis.js';

const lifetimes = { idleTimeout: 60, absoluteLifetime: 3600 };
const t0 = Date.UTC(2026, 0, 1);
const identity = (sub: string): Identity => ({
  issuer: 'https://idp.example.com',
  sub,
  user: sub,
  groups: [],
  roles: [],
  amr: [],
  claims: {},
});
const session = (sub = 'alice') => ({ idpId: 'corp', identity: identity(sub), tokens: {} });

/** Resolves with the first invalidation event `store` applies that satisfies `match`. */
function nextInvalidation(
  store: CachedSessionStore,
  match: (event: InvalidationEvent) => boolean,
): Promise<InvalidationEvent> {
  return new Promise((resolve) => {
    const stop = store.onInvalidation((event) => {
      if (!match(event)) return;
      stop();
      resolve(event);
    });
  });
}

/** A real memory store that counts the calls reaching it (to observe what the cache saves). */
function countingStore(inner: SessionStore): SessionStore & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const counted = Object.fromEntries(
    Object.entries(inner).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as SessionStore;
  return Object.assign(counted, { calls });
}

describe('createCachedSessionStore across two instances on one Redis', () => {
  const stores: SessionStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  async function twoInstances(): Promise<[CachedSessionStore, CachedSessionStore]> {
    const keyPrefix = uniqueRedisPrefix('session-cache');
    const clock = new ManualClock(t0);
    const instance = () => {
      const store = createCachedSessionStore(
        createRedisSessionStore({ redis: redisUrl(), keyPrefix, clock, lifetimes }),
        {
          maxEntries: 100,
          maxAgeSeconds: 5,
          clock,
          lifetimes,
          invalidation: createRedisInvalidationBus({
            url: redisUrl(),
            channel: `${keyPrefix}invalidate`,
          }),
        },
      );
      stores.push(store);
      return store;
    };
    const a = instance();
    const b = instance();
    await Promise.all([a.ping(), b.ping()]);
    return [a, b];
  }

  it('a session created on A is readable on B', async () => {
    const [a, b] = await twoInstances();
    const created = await a.create(session());
    expect(await b.get(created.id)).toEqual(created);
    expect(b.cacheSize()).toBe(1);
  });

  it('logout on A makes B refuse the session as soon as the invalidation arrives', async () => {
    const [a, b] = await twoInstances();
    const { id, handle } = await a.create(session());
    expect(await b.get(id)).toBeDefined(); // now cached on B
    const seen = nextInvalidation(b, (e) => e.type === 'invalidate' && e.handles.includes(handle));
    await a.delete(id);
    await seen;
    expect(await b.get(id)).toBeUndefined();
  });

  it('revocations and updates on A reach B', async () => {
    const [a, b] = await twoInstances();
    const s1 = await a.create(session());
    const s2 = await a.create(session());
    const other = await a.create(session('bob'));
    for (const s of [s1, s2, other]) expect(await b.get(s.id)).toBeDefined();

    let seen = nextInvalidation(b, (e) => e.type === 'invalidate' && e.handles.includes(s1.handle));
    await a.update(s1.id, { data: { step: 2 } });
    await seen;
    expect((await b.get(s1.id))?.data).toEqual({ step: 2 });

    seen = nextInvalidation(b, (e) => e.type === 'invalidate' && e.users.length > 0);
    expect(await a.revokeUser(userKey(identity('alice')))).toBe(2);
    await seen;
    expect(await b.get(s1.id)).toBeUndefined();
    expect(await b.get(s2.id)).toBeUndefined();
    expect(await b.get(other.id)).toBeDefined();

    seen = nextInvalidation(b, (e) => e.type === 'invalidate' && e.handles.includes(other.handle));
    expect(await a.revokeByHandle(other.handle)).toBe(true);
    await seen;
    expect(await b.get(other.id)).toBeUndefined();
  });
});

describe('createCachedSessionStore in one process', () => {
  const setup = (bus: SessionInvalidationBus = createLocalInvalidationBus(), maxEntries = 100) => {
    const clock = new ManualClock(t0);
    const inner = countingStore(createMemorySessionStore({ clock, lifetimes }));
    const store = createCachedSessionStore(inner, {
      maxEntries,
      maxAgeSeconds: 5,
      clock,
      lifetimes,
      invalidation: bus,
    });
    return { clock, inner, store };
  };

  it('stays within maxEntries', async () => {
    const { store } = setup(undefined, 3);
    const created = await Promise.all(Array.from({ length: 10 }, () => store.create(session())));
    for (const s of created) expect((await store.get(s.id))?.id).toBe(s.id);
    expect(store.cacheSize()).toBe(3);
  });

  it('serves repeated reads from memory, for at most maxAge seconds', async () => {
    const { clock, inner, store } = setup();
    const { id } = await store.create(session());
    await store.get(id);
    await store.get(id);
    expect(inner.calls.get ?? 0).toBe(0);
    // Changed behind the cache's back: stale for at most maxAge.
    await inner.update(id, { data: { changed: true } });
    clock.advance(4_999);
    expect((await store.get(id))?.data).toEqual({});
    clock.advance(1);
    expect((await store.get(id))?.data).toEqual({ changed: true });
    expect(inner.calls.get).toBe(1);
  });

  it('throttles touch writes to one per max(1 s, idle timeout / 20)', async () => {
    const { clock, inner, store } = setup();
    const { id } = await store.create(session());
    for (let s = 0; s < 3; s++) {
      await store.touch(id);
      clock.advance(1000);
    }
    expect(inner.calls.touch ?? 0).toBe(0);
    expect((await store.get(id))?.lastSeenAt).toBe(t0 / 1000 + 2);
    await store.touch(id); // 3 s since the last write (idle timeout 60 s / 20)
    expect(inner.calls.touch).toBe(1);
    expect((await inner.get(id))?.lastSeenAt).toBe(t0 / 1000 + 3);
    await store.touch(id);
    expect(inner.calls.touch).toBe(1);
  });

  it('bypasses and clears the cache while the invalidation bus is not live', async () => {
    const listeners = new Set<(e: InvalidationEvent) => void>();
    let live = true;
    const bus: SessionInvalidationBus = {
      start: () => Promise.resolve(),
      isLive: () => live,
      publish: () => Promise.resolve(),
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: () => Promise.resolve(),
    };
    const { inner, store } = setup(bus);
    const { id } = await store.create(session());
    await store.get(id);
    expect(inner.calls.get ?? 0).toBe(0);
    live = false;
    for (const l of listeners) l({ type: 'reset' });
    expect(store.cacheSize()).toBe(0);
    await store.get(id);
    await store.get(id);
    expect(inner.calls.get).toBe(2);
    expect(store.cacheSize()).toBe(0);
  });

  it('does not cache a read that raced with an invalidation', async () => {
    const clock = new ManualClock(t0);
    const memory = createMemorySessionStore({ clock, lifetimes });
    let gate: Promise<void> | undefined;
    let innerGets = 0;
    // The inner read completes before the delete, but its answer arrives after it.
    const slow: SessionStore = {
      ...memory,
      async get(id) {
        innerGets += 1;
        const record = await memory.get(id);
        if (gate) await gate;
        return record;
      },
    };
    const store = createCachedSessionStore(slow, {
      maxEntries: 10,
      maxAgeSeconds: 5,
      clock,
      lifetimes,
      invalidation: createLocalInvalidationBus(),
    });
    const { id } = await memory.create(session());
    let release = (): void => undefined;
    gate = new Promise((resolve) => (release = resolve));
    const read = store.get(id);
    await store.delete(id);
    release();
    expect(await read).toBeDefined(); // began before the logout
    gate = undefined;
    expect(await store.get(id)).toBeUndefined(); // but was not cached
    expect(innerGets).toBe(2);
  });
});
