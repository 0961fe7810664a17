import { epochSeconds, type Clock } from '../core/index.js';
import { isLive, validateEphemeralTtl, validateLifetimes } from './lifetimes.js';
import { run } from './run.js';
import { applyPatch, buildRecord, jsonCopy, recordUserKey, summarize } from './record.js';
import { generateSessionId, isWellFormedSessionId } from './session-id.js';
import type {
  SessionLifetimes,
  SessionPatch,
  SessionRecord,
  SessionStore,
  SessionSummary,
} from './types.js';

/** Options of {@link createMemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Source of time (milliseconds); records store whole seconds. */
  readonly clock: Clock;
  /** Idle timeout and absolute lifetime, in seconds. */
  readonly lifetimes: SessionLifetimes;
  /**
   * How often, in milliseconds of `clock` time, a write sweeps every expired session and
   * ephemeral value out of memory. Default 60 000. Reads expire lazily in between.
   */
  readonly sweepIntervalMs?: number;
}

interface Ephemeral {
  readonly value: Readonly<Record<string, unknown>>;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * The default, single-process session store. Sessions live in memory and die with the
 * process; expiry is lazy (checked on every read against `clock`) with a periodic sweep on
 * writes so memory stays bounded by the live sessions. Never rejects with
 * `ERR_SESSION_STORE_UNAVAILABLE`.
 * @throws GatewayError `ERR_CONFIG_INVALID` when a lifetime is not positive.
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions): SessionStore {
  const { clock } = options;
  const lifetimes = validateLifetimes(options.lifetimes);
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const sessions = new Map<string, SessionRecord>();
  const byHandle = new Map<string, string>();
  const byUser = new Map<string, Set<string>>();
  const ephemeral = new Map<string, Ephemeral>();
  let lastSweep = clock.now();

  function remove(record: SessionRecord): void {
    sessions.delete(record.id);
    byHandle.delete(record.handle);
    const key = recordUserKey(record);
    const ids = byUser.get(key);
    ids?.delete(record.id);
    if (ids?.size === 0) byUser.delete(key);
  }

  /** The live record for `id`; an expired one is removed. */
  function live(id: string): SessionRecord | undefined {
    const record = sessions.get(id);
    if (record === undefined) return undefined;
    if (isLive(record, lifetimes, clock)) return record;
    remove(record);
    return undefined;
  }

  function maybeSweep(): void {
    const now = clock.now();
    if (now - lastSweep < sweepIntervalMs && now >= lastSweep) return;
    lastSweep = now;
    for (const id of [...sessions.keys()]) live(id);
    for (const [key, entry] of [...ephemeral]) if (entry.expiresAt <= now) ephemeral.delete(key);
  }

  return {
    create: (input) =>
      run(() => {
        maybeSweep();
        let id = generateSessionId();
        while (sessions.has(id)) id = generateSessionId();
        const record = buildRecord(id, input, clock);
        sessions.set(id, record);
        byHandle.set(record.handle, id);
        const key = recordUserKey(record);
        const ids = byUser.get(key) ?? new Set<string>();
        ids.add(id);
        byUser.set(key, ids);
        return jsonCopy(record);
      }),

    get: (id) =>
      run(() => {
        if (!isWellFormedSessionId(id)) return undefined;
        const record = live(id);
        return record === undefined ? undefined : jsonCopy(record);
      }),

    touch: (id) =>
      run(() => {
        const record = live(id);
        if (record !== undefined) sessions.set(id, { ...record, lastSeenAt: epochSeconds(clock) });
      }),

    update: (id, patch: SessionPatch) =>
      run(() => {
        const record = live(id);
        if (record === undefined) return undefined;
        const next = applyPatch(record, patch);
        sessions.set(id, next);
        return jsonCopy(next);
      }),

    delete: (id) =>
      run(() => {
        const record = sessions.get(id);
        if (record !== undefined) remove(record);
      }),

    listByUser: (userKey) =>
      run(() => {
        const summaries: SessionSummary[] = [];
        for (const id of [...(byUser.get(userKey) ?? [])]) {
          const record = live(id);
          if (record !== undefined) summaries.push(summarize(record));
        }
        return summaries;
      }),

    revokeByHandle: (handle) =>
      run(() => {
        const id = byHandle.get(handle);
        const record = id === undefined ? undefined : live(id);
        if (record !== undefined) remove(record);
        return record !== undefined;
      }),

    revokeUser: (userKey) =>
      run(() => {
        let count = 0;
        for (const id of [...(byUser.get(userKey) ?? [])]) {
          const record = live(id);
          if (record !== undefined) {
            remove(record);
            count += 1;
          }
        }
        byUser.delete(userKey);
        return count;
      }),

    putEphemeral: (key, value, ttlSeconds) =>
      run(() => {
        validateEphemeralTtl(ttlSeconds);
        maybeSweep();
        ephemeral.set(key, { value: jsonCopy(value), expiresAt: clock.now() + ttlSeconds * 1000 });
      }),

    takeEphemeral: (key) =>
      run(() => {
        const entry = ephemeral.get(key);
        ephemeral.delete(key);
        return entry === undefined || entry.expiresAt <= clock.now() ? undefined : entry.value;
      }),

    ping: () => run(() => undefined),

    close: () =>
      run(() => {
        sessions.clear();
        byHandle.clear();
        byUser.clear();
        ephemeral.clear();
      }),
  };
}
