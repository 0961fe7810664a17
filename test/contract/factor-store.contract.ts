/**
 * One behavioural contract for every durable FactorStore (SQLite, PostgreSQL).
 * `harness.create()` gives a fresh, empty database namespace; `open()` connects to it
 * (several times: "restart" = close and open again; "instances" = two opens at once).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/core/index.js';
import type { FactorStore, NewFactor, StoredRecoveryCode } from '../../src/mfa/index.js';

export interface StoreNamespace {
  open(): Promise<FactorStore>;
  destroy(): Promise<void>;
}

export interface FactorStoreHarness {
  create(): Promise<StoreNamespace>;
}

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, seconds

function factor(userKey: string, extra: Partial<NewFactor> = {}): NewFactor {
  return {
    id: randomUUID(),
    userKey,
    type: 'totp',
    label: 'jane@example.com',
    keyId: 'k1',
    secret: `v1.k1.${randomUUID()}`,
    algorithm: 'sha1',
    digits: 6,
    period: 30,
    createdAt: T0,
    ...extra,
  };
}

function codes(userKey: string, n: number): StoredRecoveryCode[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    userKey,
    salt: 'c2FsdA',
    hash: `hash-${i}-${randomUUID()}`,
    createdAt: T0,
  }));
}

export function factorStoreContract(name: string, harness: FactorStoreHarness): void {
  describe(`FactorStore contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function fresh(): Promise<{ ns: StoreNamespace; store: FactorStore }> {
      const ns = await harness.create();
      cleanups.push(() => ns.destroy());
      const store = await ns.open();
      cleanups.push(() => store.close());
      return { ns, store };
    }

    it('starts empty and answers ping', async () => {
      const { store } = await fresh();
      await store.ping();
      expect(await store.listFactors('u')).toEqual([]);
      expect(await store.listRecoveryCodes('u')).toEqual([]);
      expect(await store.countFactorsByKeyId()).toEqual({});
    });

    it('saves a pending factor and reads back every field', async () => {
      const { store } = await fresh();
      const f = factor('alice', { algorithm: 'sha256', digits: 8, period: 60 });
      await store.savePendingFactor(f);
      const got = await store.getFactor('alice', f.id);
      expect(got).toEqual({ ...f, status: 'pending' });
      expect(await store.listFactors('alice')).toEqual([{ ...f, status: 'pending' }]);
      expect(await store.getFactor('bob', f.id)).toBeUndefined();
    });

    it('keeps one pending enrollment per user, never touching active factors or other users', async () => {
      const { store } = await fresh();
      const active = factor('alice');
      await store.savePendingFactor(active);
      expect(await store.activateFactor('alice', active.id, T0 + 5)).toBe(true);
      const p1 = factor('alice', { createdAt: T0 + 10 });
      const other = factor('bob');
      await store.savePendingFactor(p1);
      await store.savePendingFactor(other);
      const p2 = factor('alice', { createdAt: T0 + 20 });
      await store.savePendingFactor(p2);
      const ids = (await store.listFactors('alice')).map((f) => f.id);
      expect(ids).toEqual([active.id, p2.id]);
      expect((await store.listFactors('bob')).map((f) => f.id)).toEqual([other.id]);
    });

    it('activates a pending factor exactly once and only for its user', async () => {
      const { store } = await fresh();
      const f = factor('alice');
      await store.savePendingFactor(f);
      expect(await store.activateFactor('bob', f.id, T0 + 1)).toBe(false);
      expect(await store.activateFactor('alice', 'nope', T0 + 1)).toBe(false);
      const results = await Promise.all([1, 2, 3].map(() => store.activateFactor('alice', f.id, T0 + 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const got = await store.getFactor('alice', f.id);
      expect(got?.status).toBe('active');
      expect(got?.activatedAt).toBe(T0 + 1);
      await store.touchFactor('alice', f.id, T0 + 99);
      expect((await store.getFactor('alice', f.id))?.lastUsedAt).toBe(T0 + 99);
    });

    it('prunes only stale pending factors', async () => {
      const { store } = await fresh();
      const old = factor('alice', { createdAt: T0 });
      const act = factor('bob', { createdAt: T0 });
      const young = factor('carol', { createdAt: T0 + 1000 });
      for (const f of [old, act, young]) await store.savePendingFactor(f);
      await store.activateFactor('bob', act.id, T0);
      expect(await store.prunePendingFactors(T0 + 500)).toBe(1);
      expect(await store.getFactor('alice', old.id)).toBeUndefined();
      expect(await store.getFactor('bob', act.id)).toBeDefined();
      expect(await store.getFactor('carol', young.id)).toBeDefined();
    });

    it('markCodeUsed accepts a (user, factor, step) once: the replay guard', async () => {
      const { store } = await fresh();
      expect(await store.markCodeUsed('alice', 'f1', 1000, T0)).toBe(true);
      expect(await store.markCodeUsed('alice', 'f1', 1000, T0 + 1)).toBe(false);
      expect(await store.markCodeUsed('alice', 'f1', 1001, T0)).toBe(true);
      expect(await store.markCodeUsed('alice', 'f2', 1000, T0)).toBe(true);
      expect(await store.markCodeUsed('bob', 'f1', 1000, T0)).toBe(true);
    });

    it('markCodeUsed lets exactly one of many concurrent callers win', async () => {
      const { store } = await fresh();
      const results = await Promise.all(Array.from({ length: 12 }, () => store.markCodeUsed('alice', 'f1', 7, T0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('markCodeUsed is shared by two instances on the same database', async () => {
      const { ns, store } = await fresh();
      const second = await ns.open();
      cleanups.push(() => second.close());
      expect(await store.markCodeUsed('alice', 'f1', 42, T0)).toBe(true);
      expect(await second.markCodeUsed('alice', 'f1', 42, T0)).toBe(false);
    });

    it('prunes replay markers by age, globally or for one user', async () => {
      const { store } = await fresh();
      await store.markCodeUsed('alice', 'f', 1, T0);
      await store.markCodeUsed('bob', 'f', 1, T0);
      await store.markCodeUsed('alice', 'f', 2, T0 + 100);
      expect(await store.pruneUsedCodes(T0 + 50, 'alice')).toBe(1);
      expect(await store.markCodeUsed('alice', 'f', 1, T0 + 200)).toBe(true);
      expect(await store.markCodeUsed('bob', 'f', 1, T0 + 200)).toBe(false);
      expect(await store.pruneUsedCodes(T0 + 50)).toBe(1);
      expect(await store.markCodeUsed('bob', 'f', 1, T0 + 300)).toBe(true);
      expect(await store.markCodeUsed('alice', 'f', 2, T0 + 300)).toBe(false);
    });

    it('replaces recovery codes atomically and consumes each exactly once', async () => {
      const { store } = await fresh();
      const first = codes('alice', 10);
      await store.replaceRecoveryCodes('alice', first);
      await store.replaceRecoveryCodes('bob', codes('bob', 2));
      const listed = await store.listRecoveryCodes('alice');
      expect(listed.map((c) => c.id).sort()).toEqual(first.map((c) => c.id).sort());
      expect(listed.find((c) => c.id === first[0]!.id)).toEqual(first[0]);

      const target = first[3]!;
      expect(await store.consumeRecoveryCode('bob', target.id, T0)).toBe(false);
      const wins = await Promise.all(Array.from({ length: 8 }, () => store.consumeRecoveryCode('alice', target.id, T0)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await store.consumeRecoveryCode('alice', target.id, T0)).toBe(false);
      expect((await store.listRecoveryCodes('alice')).map((c) => c.id)).not.toContain(target.id);
      expect(await store.listRecoveryCodes('alice')).toHaveLength(9);

      const second = codes('alice', 10);
      await store.replaceRecoveryCodes('alice', second);
      expect((await store.listRecoveryCodes('alice')).map((c) => c.id).sort()).toEqual(second.map((c) => c.id).sort());
      expect(await store.consumeRecoveryCode('alice', first[0]!.id, T0)).toBe(false);
      expect(await store.listRecoveryCodes('bob')).toHaveLength(2);
    });

    it('deleteUser removes factors, recovery codes and replay markers of that user only', async () => {
      const { store } = await fresh();
      const a1 = factor('alice');
      await store.savePendingFactor(a1);
      await store.activateFactor('alice', a1.id, T0);
      await store.savePendingFactor(factor('alice'));
      await store.savePendingFactor(factor('bob'));
      await store.replaceRecoveryCodes('alice', codes('alice', 3));
      await store.markCodeUsed('alice', a1.id, 5, T0);
      expect(await store.deleteUser('alice')).toBe(2);
      expect(await store.listFactors('alice')).toEqual([]);
      expect(await store.listRecoveryCodes('alice')).toEqual([]);
      expect(await store.markCodeUsed('alice', a1.id, 5, T0)).toBe(true);
      expect(await store.listFactors('bob')).toHaveLength(1);
      expect(await store.deleteUser('nobody')).toBe(0);
    });

    it('walks rows not under a key with a cursor and swaps secrets only if unchanged', async () => {
      const { store } = await fresh();
      const rows = Array.from({ length: 5 }, (_, i) => factor(`u${i}`, { keyId: i < 3 ? 'old' : 'new' }));
      for (const f of rows) await store.savePendingFactor(f);
      expect(await store.countFactorsByKeyId()).toEqual({ old: 3, new: 2 });

      const seen: string[] = [];
      let after = '';
      for (;;) {
        const page = await store.listFactorsNotUnderKey('new', after, 2);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        for (const r of page) {
          expect(r.keyId).toBe('old');
          seen.push(r.id);
        }
        after = page[page.length - 1]!.id;
      }
      expect(seen.sort()).toEqual(rows.slice(0, 3).map((f) => f.id).sort());

      const victim = rows[0]!;
      expect(await store.updateFactorSecret(victim.id, 'stale', 'new', 'v1.new.x')).toBe(false);
      expect(await store.updateFactorSecret(victim.id, victim.secret, 'new', 'v1.new.x')).toBe(true);
      const got = await store.getFactor(victim.userKey, victim.id);
      expect(got?.keyId).toBe('new');
      expect(got?.secret).toBe('v1.new.x');
      expect(await store.countFactorsByKeyId()).toEqual({ old: 2, new: 3 });
    });

    it('keeps factors, recovery codes and replay markers across a restart (close and reopen)', async () => {
      const { ns, store } = await fresh();
      const f = factor('alice');
      await store.savePendingFactor(f);
      await store.activateFactor('alice', f.id, T0 + 1);
      const rc = codes('alice', 10);
      await store.replaceRecoveryCodes('alice', rc);
      await store.consumeRecoveryCode('alice', rc[0]!.id, T0);
      await store.markCodeUsed('alice', f.id, 77, T0);
      await store.close();

      const reopened = await ns.open();
      cleanups.push(() => reopened.close());
      expect(await reopened.getFactor('alice', f.id)).toEqual({ ...f, status: 'active', activatedAt: T0 + 1 });
      expect(await reopened.listRecoveryCodes('alice')).toHaveLength(9);
      expect(await reopened.markCodeUsed('alice', f.id, 77, T0)).toBe(false);
    });

    it('fails closed with ERR_MFA_STORE_UNAVAILABLE once closed', async () => {
      const { store } = await fresh();
      await store.close();
      await expect(store.markCodeUsed('a', 'f', 1, T0)).rejects.toSatisfy((e) =>
        isGatewayError(e, 'ERR_MFA_STORE_UNAVAILABLE'),
      );
      await expect(store.listFactors('a')).rejects.toSatisfy((e) => isGatewayError(e, 'ERR_MFA_STORE_UNAVAILABLE'));
    });
  });
}
