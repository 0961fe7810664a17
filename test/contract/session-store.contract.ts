/**
 * One behavioural contract for every SessionStore (memory, Redis, cached Redis), in the
 * spirit of oauth2-proxy's pkg/sessions/tests/session_store_tests.go. Backend-specific checks
 * (Redis TTLs, raw documents, restart) run only when the harness offers the backend.
 */
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, isGatewayError, userKey, type Identity } from '../../src/core/index.js';
import {
  sessionHandle,
  sessionStorageKey,
  type RedisKeyLayout,
  type SessionLifetimes,
  type SessionStore,
} from '../../src/session/index.js';

/** Lifetimes every contract test uses, in seconds. */
export const CONTRACT_LIFETIMES: SessionLifetimes = { idleTimeout: 60, absoluteLifetime: 300 };

export interface StoreHarness {
  readonly store: SessionStore;
  /**
   * Opens another store on the same backend, as a restarted gateway or the CLI in another
   * process would (absent for memory).
   */
  readonly reopen?: () => SessionStore;
  /** Direct access to the Redis backend (absent for memory). */
  readonly redis?: { readonly client: Redis; readonly keys: RedisKeyLayout };
  /** Longest the store may serve data changed behind its back (cache max age), ms. */
  readonly staleForMs: number;
  close(): Promise<void>;
}

export type HarnessFactory = (ctx: {
  clock: ManualClock;
  lifetimes: SessionLifetimes;
}) => Promise<StoreHarness>;

export function identityFor(sub: string, extra: Partial<Identity> = {}): Identity {
  return {
    issuer: 'https://idp.example.com',
    sub,
    user: sub,
    email: `${sub}@example.com`,
    groups: ['staff'],
    roles: [],
    amr: ['pwd'],
    claims: { sub },
    ...extra,
  };
}

const SECOND = 1000;

export function describeSessionStoreContract(name: string, factory: HarnessFactory): void {
  describe(`SessionStore contract: ${name}`, () => {
    let clock: ManualClock;
    let h: StoreHarness;
    let store: SessionStore;
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    const alice = identityFor('alice');
    const bob = identityFor('bob');
    const newSession = (identity = alice) => ({
      idpId: 'corp',
      identity,
      tokens: { accessToken: 'at-secret', refreshToken: 'rt-secret', expiresAt: t0 + 3600 },
      data: { theme: 'dark' },
    });
    const opened: SessionStore[] = [];
    const reopen = (): SessionStore => {
      const other = h.reopen!();
      opened.push(other);
      return other;
    };

    beforeEach(async () => {
      clock = new ManualClock(t0 * SECOND);
      h = await factory({ clock, lifetimes: CONTRACT_LIFETIMES });
      store = h.store;
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await h.close();
    });

    it('creates a session and reads it back by id', async () => {
      const created = await store.create(newSession());
      expect(created).toMatchObject({
        version: 1,
        idpId: 'corp',
        identity: alice,
        tokens: { accessToken: 'at-secret', refreshToken: 'rt-secret' },
        createdAt: t0,
        lastSeenAt: t0,
        data: { theme: 'dark' },
      });
      expect(created.handle).toBe(sessionHandle(created.id));
      expect(await store.get(created.id)).toEqual(created);
    });

    it('issues unique ids of at least 128 random bits, distinct from their handles', async () => {
      const sessions = await Promise.all(
        Array.from({ length: 40 }, () => store.create(newSession())),
      );
      const ids = new Set(sessions.map((s) => s.id));
      expect(ids.size).toBe(40);
      for (const s of sessions) {
        expect(Buffer.from(s.id, 'base64url').length).toBeGreaterThanOrEqual(16);
        expect(s.handle).toMatch(/^[0-9a-f]{16,}$/);
        expect(s.handle).not.toContain(s.id);
        expect(sessionStorageKey(s.id)).not.toContain(s.handle);
      }
    });

    it('returns undefined for unknown and malformed ids', async () => {
      await store.create(newSession());
      expect(await store.get('A'.repeat(43))).toBeUndefined();
      expect(await store.get('')).toBeUndefined();
      expect(await store.get('not a session id; x=1')).toBeUndefined();
    });

    it('touch moves lastSeenAt to now', async () => {
      const { id } = await store.create(newSession());
      clock.advance(10 * SECOND);
      await store.touch(id);
      expect((await store.get(id))?.lastSeenAt).toBe(t0 + 10);
    });

    it('expires a session idle for the idle timeout, and touch keeps it alive', async () => {
      const idle = await store.create(newSession());
      const active = await store.create(newSession());
      clock.advance(50 * SECOND);
      await store.touch(active.id);
      clock.advance(9 * SECOND);
      expect(await store.get(idle.id)).toBeDefined();
      clock.advance(1 * SECOND);
      expect(await store.get(idle.id)).toBeUndefined();
      expect(await store.get(active.id)).toBeDefined();
      clock.advance(50 * SECOND);
      expect(await store.get(active.id)).toBeUndefined();
    });

    it('expires a session at its absolute lifetime however active it is', async () => {
      const { id } = await store.create(newSession());
      for (let t = 50; t < 300; t += 50) {
        clock.set((t0 + t) * SECOND);
        await store.touch(id);
        expect(await store.get(id), `alive at ${t}s`).toBeDefined();
      }
      clock.set((t0 + 299) * SECOND);
      expect(await store.get(id)).toBeDefined();
      clock.set((t0 + 300) * SECOND);
      expect(await store.get(id)).toBeUndefined();
      await store.touch(id);
      expect(await store.get(id)).toBeUndefined();
    });

    it('deletes expired sessions instead of hiding them', async () => {
      const { id } = await store.create(newSession());
      clock.advance(60 * SECOND);
      expect(await store.get(id)).toBeUndefined();
      clock.set((t0 + 1) * SECOND);
      clock.advance(h.staleForMs);
      expect(await store.get(id)).toBeUndefined();
      expect(await store.listByUser(userKey(alice))).toEqual([]);
    });

    it('update replaces tokens, identity and data of a live session only', async () => {
      const { id, createdAt } = await store.create(newSession());
      clock.advance(5 * SECOND);
      const withMfa = { ...alice, amr: ['pwd', 'otp'], mfaTime: t0 + 5 };
      const updated = await store.update(id, {
        tokens: { accessToken: 'at-2' },
        identity: withMfa,
        data: { mfa: { verifiedAt: t0 + 5 } },
      });
      expect(updated).toMatchObject({
        id,
        createdAt,
        lastSeenAt: t0,
        tokens: { accessToken: 'at-2' },
        identity: withMfa,
        data: { mfa: { verifiedAt: t0 + 5 } },
      });
      expect(updated?.tokens.refreshToken).toBeUndefined();
      expect(await store.get(id)).toEqual(updated);
      expect(await store.update('B'.repeat(43), { data: {} })).toBeUndefined();
      await expect(store.update(id, { identity: bob })).rejects.toSatisfy((e) =>
        isGatewayError(e, 'ERR_INTERNAL'),
      );
    });

    it('a concurrent touch never undoes an update', async () => {
      const { id } = await store.create(newSession());
      clock.advance(10 * SECOND);
      await Promise.all([
        store.touch(id),
        store.update(id, { data: { mfa: 'done' } }),
        store.touch(id),
      ]);
      const got = await store.get(id);
      expect(got?.data).toEqual({ mfa: 'done' });
      expect(got?.lastSeenAt).toBe(t0 + 10);
    });

    it('delete ends a session (logout); deleting twice is fine', async () => {
      const { id } = await store.create(newSession());
      await store.delete(id);
      expect(await store.get(id)).toBeUndefined();
      await store.delete(id);
      await store.touch(id);
      expect(await store.get(id)).toBeUndefined();
      expect(await store.listByUser(userKey(alice))).toEqual([]);
    });

    it('lists live sessions per user without secrets', async () => {
      const a1 = await store.create(newSession());
      clock.advance(1 * SECOND);
      const a2 = await store.create(newSession());
      await store.create(newSession(bob));
      const list = await store.listByUser(userKey(alice));
      expect(list).toEqual([
        {
          handle: a1.handle,
          idpId: 'corp',
          issuer: alice.issuer,
          sub: 'alice',
          email: 'alice@example.com',
          createdAt: t0,
          lastSeenAt: t0,
        },
        expect.objectContaining({ handle: a2.handle, createdAt: t0 + 1 }),
      ]);
      expect(JSON.stringify(list)).not.toContain(a1.id);
      expect(JSON.stringify(list)).not.toContain('secret');
      expect(await store.listByUser(userKey(identityFor('nobody')))).toEqual([]);
    });

    it('revokes one session by handle', async () => {
      const a1 = await store.create(newSession());
      const a2 = await store.create(newSession());
      expect(await store.revokeByHandle(a1.handle)).toBe(true);
      expect(await store.get(a1.id)).toBeUndefined();
      expect(await store.get(a2.id)).toBeDefined();
      expect((await store.listByUser(userKey(alice))).map((s) => s.handle)).toEqual([a2.handle]);
      expect(await store.revokeByHandle(a1.handle)).toBe(false);
      expect(await store.revokeByHandle('0'.repeat(32))).toBe(false);
      expect(await store.revokeByHandle('not-a-handle')).toBe(false);
    });

    it('revokes every session of a user and no one else', async () => {
      const a1 = await store.create(newSession());
      const a2 = await store.create(newSession());
      const b1 = await store.create(newSession(bob));
      expect(await store.revokeUser(userKey(alice))).toBe(2);
      expect(await store.get(a1.id)).toBeUndefined();
      expect(await store.get(a2.id)).toBeUndefined();
      expect(await store.get(b1.id)).toBeDefined();
      expect(await store.listByUser(userKey(alice))).toEqual([]);
      expect(await store.revokeUser(userKey(alice))).toBe(0);
    });

    it('ephemeral values are single use and expire', async () => {
      await store.putEphemeral('state-1', { nonce: 'n1', returnTo: '/x' }, 60);
      await store.putEphemeral('state-2', { nonce: 'n2' }, 60);
      const taken = await Promise.all([
        store.takeEphemeral('state-1'),
        store.takeEphemeral('state-1'),
      ]);
      expect(taken.filter((v) => v !== undefined)).toEqual([{ nonce: 'n1', returnTo: '/x' }]);
      expect(await store.takeEphemeral('state-1')).toBeUndefined();
      clock.advance(60 * SECOND);
      expect(await store.takeEphemeral('state-2')).toBeUndefined();
      expect(await store.takeEphemeral('never-put')).toBeUndefined();
      await expect(store.putEphemeral('bad', {}, 0)).rejects.toSatisfy((e) =>
        isGatewayError(e, 'ERR_INTERNAL'),
      );
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('with a shared backend', () => {
      it('keeps sessions across a restart and lets another process list and revoke them', async (ctx) => {
        if (!h.reopen) return ctx.skip();
        const a1 = await store.create(newSession());
        const a2 = await store.create(newSession());
        const other = reopen();
        expect(await other.get(a1.id)).toEqual(a1);
        expect((await other.listByUser(userKey(alice))).map((s) => s.handle).sort()).toEqual(
          [a1.handle, a2.handle].sort(),
        );
        expect(await other.revokeByHandle(a1.handle)).toBe(true);
        expect(await other.revokeUser(userKey(alice))).toBe(1);
        clock.advance(h.staleForMs);
        expect(await store.get(a1.id)).toBeUndefined();
        expect(await store.get(a2.id)).toBeUndefined();
      });

      it('sets Redis TTLs: min(idle timeout, absolute lifetime left)', async (ctx) => {
        if (!h.redis) return ctx.skip();
        const { client, keys } = h.redis;
        const s = await store.create(newSession());
        const sessionKey = keys.session(sessionStorageKey(s.id));
        const pttl = await client.pttl(sessionKey);
        expect(pttl).toBeGreaterThan(55 * SECOND);
        expect(pttl).toBeLessThanOrEqual(60 * SECOND);
        expect(await client.pttl(keys.handle(s.handle))).toBeGreaterThan(295 * SECOND);
        expect(await client.pttl(keys.user(userKey(alice)))).toBeGreaterThanOrEqual(295 * SECOND);
        for (let t = 50; t <= 250; t += 50) {
          clock.set((t0 + t) * SECOND);
          await store.touch(s.id);
        }
        const late = await client.pttl(sessionKey);
        expect(late).toBeGreaterThan(45 * SECOND);
        expect(late).toBeLessThanOrEqual(50 * SECOND);
        await store.putEphemeral('state', { a: 1 }, 30);
        const ephemeralTtl = await client.pttl(keys.ephemeral('state'));
        expect(ephemeralTtl).toBeGreaterThan(25 * SECOND);
        expect(ephemeralTtl).toBeLessThanOrEqual(30 * SECOND);
      });

      it('never stores a usable cookie value in Redis', async (ctx) => {
        if (!h.redis) return ctx.skip();
        const { client, keys } = h.redis;
        const s = await store.create(newSession());
        await store.touch(s.id);
        const prefix = keys.session('').slice(0, -2);
        const found = await client.keys(`${prefix}*`);
        expect(found.length).toBeGreaterThanOrEqual(3);
        for (const key of found) {
          expect(key).not.toContain(s.id);
          const type = await client.type(key);
          const value =
            type === 'set' ? (await client.smembers(key)).join() : await client.get(key);
          expect(value).not.toContain(s.id);
        }
      });

      it('treats a document of an unknown version or malformed as no session', async (ctx) => {
        if (!h.redis) return ctx.skip();
        const { client, keys } = h.redis;
        const future = await store.create(newSession());
        const broken = await store.create(newSession());
        const futureKey = keys.session(sessionStorageKey(future.id));
        const doc = JSON.parse((await client.get(futureKey))!);
        await client.set(futureKey, JSON.stringify({ ...doc, version: 2 }), 'KEEPTTL');
        await client.set(keys.session(sessionStorageKey(broken.id)), '{"version":1', 'KEEPTTL');
        clock.advance(h.staleForMs);
        expect(await store.get(future.id)).toBeUndefined();
        expect(await store.get(broken.id)).toBeUndefined();
        expect(await store.listByUser(userKey(alice))).toEqual([]);
        await store.touch(future.id);
        expect(JSON.parse((await client.get(futureKey))!).version).toBe(2);
      });
    });
  });
}
