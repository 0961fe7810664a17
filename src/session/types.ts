import type { Identity } from '../core/index.js';

/** Tokens obtained from the identity provider (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
export interface SessionTokens {
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** Access token expiry, seconds since the epoch. */
  readonly expiresAt?: number;
  readonly scope?: string;
}

/**
 * One server-side session, stored as versioned JSON. Times are seconds since the epoch.
 * The session `id` is the secret cookie value; stores key records by a hash of it, and
 * `handle` (derived from the id by a one-way hash) is what operators see and revoke.
 */
export interface SessionRecord {
  readonly version: 1;
  readonly id: string;
  readonly handle: string;
  /** Id of the identity provider that logged the user in (config `identity_providers[].id`). */
  readonly idpId: string;
  readonly identity: Identity;
  readonly tokens: SessionTokens;
  /** Seconds since the epoch. */
  readonly createdAt: number;
  /** Seconds since the epoch of the last request seen (updated at most every few seconds). */
  readonly lastSeenAt: number;
  /** Extra state owned by other modules (e.g. MFA), JSON-serialisable. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What an operator sees of a session (no secret). */
export interface SessionSummary {
  readonly handle: string;
  readonly idpId: string;
  readonly issuer: string;
  readonly sub: string;
  readonly email?: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

/** Input to {@link SessionStore.create}. */
export interface NewSession {
  readonly idpId: string;
  readonly identity: Identity;
  readonly tokens: SessionTokens;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Changes accepted by {@link SessionStore.update}; each given field replaces the stored one. */
export interface SessionPatch {
  readonly tokens?: SessionTokens;
  readonly identity?: Identity;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Session lifetimes, in seconds. */
export interface SessionLifetimes {
  /** A session unused for this long expires (seconds). */
  readonly idleTimeout: number;
  /** A session expires this long after creation, used or not (seconds). */
  readonly absoluteLifetime: number;
}

/**
 * Server-side session storage. Implementations: memory, Redis, and a bounded cache
 * in front of either. All methods reject with `GatewayError` `ERR_SESSION_STORE_UNAVAILABLE`
 * when the backing store cannot be reached (callers fail closed).
 */
export interface SessionStore {
  /** Creates a session with a fresh random id (≥ 256 bits) and indexes it under its user. */
  create(input: NewSession): Promise<SessionRecord>;
  /**
   * The live session for a cookie value, or `undefined` when unknown, revoked, idle for
   * longer than the idle timeout or older than the absolute lifetime (expired ones are deleted).
   */
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * Records activity: moves `lastSeenAt` to now and extends the store TTL (idle timeout).
   * The cached store writes this through at most every max(1 s, idle timeout / 20).
   */
  touch(id: string): Promise<void>;
  /** Replaces tokens, identity and/or data of a live session; returns the new record or `undefined` if gone. */
  update(
    id: string,
    patch: {
      tokens?: SessionTokens;
      identity?: Identity;
      data?: Readonly<Record<string, unknown>>;
    },
  ): Promise<SessionRecord | undefined>;
  /** Deletes one session by its id (logout). */
  delete(id: string): Promise<void>;
  /** Live sessions of a user, by `userKey(identity)` (core). */
  listByUser(userKey: string): Promise<SessionSummary[]>;
  /** Deletes a session by its operator-visible handle; true if it existed. */
  revokeByHandle(handle: string): Promise<boolean>;
  /** Deletes every session of a user; returns how many. */
  revokeUser(userKey: string): Promise<number>;
  /** Stores a short-lived value (login flow state, etc.) under `key` for `ttlSeconds`. */
  putEphemeral(
    key: string,
    value: Readonly<Record<string, unknown>>,
    ttlSeconds: number,
  ): Promise<void>;
  /** Reads and deletes an ephemeral value atomically (single use). */
  takeEphemeral(key: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  /** Resolves when the backing store answers; rejects with ERR_SESSION_STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  /** Closes connections. */
  close(): Promise<void>;
}
