import { createHash, randomBytes } from 'node:crypto';

/** Number of random bytes in a session id (256 bits). */
export const SESSION_ID_BYTES = 32;

/** A session id as this module issues it: 32 bytes, base64url without padding (43 characters). */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Length of a session handle, in hex characters (128 bits). */
export const SESSION_HANDLE_HEX_LENGTH = 32;

const HANDLE_PATTERN = /^[0-9a-f]{32}$/;

/**
 * Generates a fresh session id: 32 random bytes from `node:crypto`, base64url encoded
 * (RFC 4648 §5, no padding). 256 bits, so ids cannot be guessed (OWASP Session Management:
 * at least 64 bits of entropy; DESIGN.md invariant 6 asks for ≥ 128).
 */
export function generateSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

/** True when `value` has the shape of a session id issued by {@link generateSessionId}. */
export function isWellFormedSessionId(value: string): boolean {
  return SESSION_ID_PATTERN.test(value);
}

/**
 * The storage key of a session: lower-case hex SHA-256 of the session id (the cookie value).
 * Stores key records by this digest so a dump of the store never holds a usable cookie value.
 */
export function sessionStorageKey(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/**
 * The operator-visible handle of a session: the first 32 hex characters (128 bits) of
 * SHA-256 over `"gatehouse-handle:" + id`. It is a different digest from
 * {@link sessionStorageKey}, so neither the handle nor the storage key reveals the other or the id.
 */
export function sessionHandle(id: string): string {
  return createHash('sha256')
    .update(`gatehouse-handle:${id}`, 'utf8')
    .digest('hex')
    .slice(0, SESSION_HANDLE_HEX_LENGTH);
}

/** True when `value` has the shape of a handle from {@link sessionHandle}. */
export function isWellFormedHandle(value: string): boolean {
  return HANDLE_PATTERN.test(value);
}
