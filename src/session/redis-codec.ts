import { createHash } from 'node:crypto';
import type { SessionRecord } from './types.js';

/** The Redis keys of one store, all under its prefix. */
export interface RedisKeyLayout {
  /** `<prefix>s:<sha256(id) hex>`: the session document (JSON string), TTL = time left. */
  session(storageKey: string): string;
  /** `<prefix>h:<handle>`: the storage key of the session with this handle, TTL = absolute lifetime left. */
  handle(handle: string): string;
  /** `<prefix>u:<userKey>`: set of storage keys of the user's sessions, TTL ≥ absolute lifetime. */
  user(userKey: string): string;
  /** `<prefix>e:<sha256(key) hex>`: an ephemeral value (JSON string), TTL as given. */
  ephemeral(key: string): string;
}

/** The key layout under `prefix` (e.g. `gatehouse:`); see {@link RedisKeyLayout}. */
export function redisKeyLayout(prefix: string): RedisKeyLayout {
  return {
    session: (storageKey) => `${prefix}s:${storageKey}`,
    handle: (handle) => `${prefix}h:${handle}`,
    user: (userKey) => `${prefix}u:${userKey}`,
    ephemeral: (key) => `${prefix}e:${createHash('sha256').update(key, 'utf8').digest('hex')}`,
  };
}

/**
 * A session as stored in Redis: the record without its id (the cookie value never reaches
 * Redis; the key is a digest of it). `version` is 1; other versions are not sessions to us.
 */
export type StoredSession = Omit<SessionRecord, 'id'>;

/** Result of decoding a stored document. */
export type DecodedSession =
  | { readonly kind: 'ok'; readonly doc: StoredSession }
  | { readonly kind: 'unknown-version'; readonly version: unknown }
  | { readonly kind: 'corrupt' };

/** Serialises a record for Redis (drops the id). */
export function encodeSession(record: SessionRecord): string {
  const { id: _id, ...doc } = record;
  return JSON.stringify(doc);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): boolean =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Decodes a stored document, checking the shape a version-1 record must have. */
export function decodeSession(text: string): DecodedSession {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'corrupt' };
  }
  if (!isObject(value)) return { kind: 'corrupt' };
  if (value.version !== 1) return { kind: 'unknown-version', version: value.version };
  const { identity } = value;
  const ok =
    typeof value.handle === 'string' &&
    typeof value.idpId === 'string' &&
    Number.isFinite(value.createdAt) &&
    Number.isFinite(value.lastSeenAt) &&
    isObject(value.tokens) &&
    isObject(value.data) &&
    isObject(identity) &&
    typeof identity.issuer === 'string' &&
    typeof identity.sub === 'string' &&
    typeof identity.user === 'string' &&
    isStringArray(identity.groups) &&
    isStringArray(identity.roles) &&
    isStringArray(identity.amr) &&
    isObject(identity.claims);
  return ok ? { kind: 'ok', doc: value as unknown as StoredSession } : { kind: 'corrupt' };
}

/**
 * Serialises an ephemeral value as `{ version: 1, value, expiresAt }`; `expiresAt` is in
 * milliseconds since the epoch by the store's clock (Redis also expires the key by TTL).
 */
export function encodeEphemeral(
  value: Readonly<Record<string, unknown>>,
  expiresAt: number,
): string {
  return JSON.stringify({ version: 1, value, expiresAt });
}

/**
 * Decodes an ephemeral value; `undefined` unless it is a version-1 object that has not
 * expired at `nowMs` (milliseconds since the epoch).
 */
export function decodeEphemeral(
  text: string,
  nowMs: number,
): Readonly<Record<string, unknown>> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (
      isObject(parsed) &&
      parsed.version === 1 &&
      isObject(parsed.value) &&
      typeof parsed.expiresAt === 'number' &&
      parsed.expiresAt > nowMs
    ) {
      return parsed.value;
    }
  } catch {
    // fall through: not ours
  }
  return undefined;
}
