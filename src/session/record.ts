import { GatewayError, epochSeconds, userKey, type Clock } from '../core/index.js';
import { sessionHandle } from './session-id.js';
import type { NewSession, SessionPatch, SessionRecord, SessionSummary } from './types.js';

/**
 * Copies a JSON-serialisable value, so stores never share objects with callers and the
 * memory store accepts exactly what the Redis store can serialise.
 * @throws GatewayError `ERR_INTERNAL` when the value is not JSON-serialisable.
 */
export function jsonCopy<T>(value: T): T {
  try {
    return JSON.parse(JSON.stringify(value)) as T;
  } catch (cause) {
    throw new GatewayError('ERR_INTERNAL', 'session data is not JSON-serialisable', { cause });
  }
}

/** A new record for `id`, created and last seen now (`clock`, whole seconds since the epoch). */
export function buildRecord(id: string, input: NewSession, clock: Clock): SessionRecord {
  const now = epochSeconds(clock);
  return {
    version: 1,
    id,
    handle: sessionHandle(id),
    idpId: input.idpId,
    identity: jsonCopy(input.identity),
    tokens: jsonCopy(input.tokens),
    createdAt: now,
    lastSeenAt: now,
    data: jsonCopy(input.data ?? {}),
  };
}

/**
 * The record with `patch` applied (tokens, identity and data are replaced wholesale when given).
 * @throws GatewayError `ERR_INTERNAL` when the patch would move the session to another user
 *   (issuer or sub): the per-user index is fixed at creation; log the user in afresh instead.
 */
export function applyPatch(record: SessionRecord, patch: SessionPatch): SessionRecord {
  if (patch.identity !== undefined && userKey(patch.identity) !== userKey(record.identity)) {
    throw new GatewayError(
      'ERR_INTERNAL',
      'a session cannot change user; create a new session instead',
    );
  }
  return {
    ...record,
    ...(patch.tokens === undefined ? {} : { tokens: jsonCopy(patch.tokens) }),
    ...(patch.identity === undefined ? {} : { identity: jsonCopy(patch.identity) }),
    ...(patch.data === undefined ? {} : { data: jsonCopy(patch.data) }),
  };
}

/** The operator view of a session: no id, no tokens. */
export function summarize(record: Omit<SessionRecord, 'id'>): SessionSummary {
  const summary: SessionSummary = {
    handle: record.handle,
    idpId: record.idpId,
    issuer: record.identity.issuer,
    sub: record.identity.sub,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
  };
  return record.identity.email === undefined
    ? summary
    : { ...summary, email: record.identity.email };
}

/** The per-user index key of a record: `userKey(identity)` from core. */
export function recordUserKey(record: Pick<SessionRecord, 'identity'>): string {
  return userKey(record.identity);
}
