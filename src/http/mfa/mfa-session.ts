import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { epochSeconds, GatewayError, type Identity } from '../../core/index.js';
import type { SessionRecord } from '../../session/index.js';
import type { GatewayRuntime, GatewayServices } from '../runtime.js';

/** What the MFA pages keep in `session.data.mfa`. JSON-serialisable. */
export interface MfaSessionData {
  /** Per-session CSRF token of the MFA forms (base64url, 256 bits). */
  readonly csrf?: string;
  /** The enrollment this session started and may confirm. */
  readonly enroll?: { readonly factorId: string; readonly expiresAt: number };
}

/** The MFA part of a session's data, validated (anything malformed reads as empty). */
export function mfaData(session: SessionRecord): MfaSessionData {
  const raw = session.data.mfa;
  if (raw === null || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const enroll = r.enroll as Record<string, unknown> | undefined;
  return {
    ...(typeof r.csrf === 'string' ? { csrf: r.csrf } : {}),
    ...(enroll !== undefined &&
    typeof enroll.factorId === 'string' &&
    typeof enroll.expiresAt === 'number'
      ? { enroll: { factorId: enroll.factorId, expiresAt: enroll.expiresAt } }
      : {}),
  };
}

/** A new CSRF token: 256 random bits, base64url. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Stores `patch` into the session's MFA data (other modules' data is kept).
 * @returns the updated session.
 * @throws GatewayError `ERR_SESSION_INVALID` when the session ended meanwhile; `ERR_SESSION_STORE_UNAVAILABLE`.
 */
export async function updateMfaData(
  services: GatewayServices,
  session: SessionRecord,
  patch: Partial<MfaSessionData>,
): Promise<SessionRecord> {
  const next = { ...mfaData(session), ...patch };
  const updated = await services.store.update(session.id, { data: { ...session.data, mfa: next } });
  if (updated === undefined)
    throw new GatewayError('ERR_SESSION_INVALID', 'Your session has ended. Please sign in again.');
  return updated;
}

/** The session's CSRF token, creating and storing one when it has none. */
export async function ensureCsrfToken(
  services: GatewayServices,
  session: SessionRecord,
): Promise<string> {
  const existing = mfaData(session).csrf;
  if (existing !== undefined) return existing;
  const csrf = newCsrfToken();
  await updateMfaData(services, session, { csrf });
  return csrf;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks a form's CSRF token against the session's, in constant time (equal-length digests),
 * and the `Origin` header when the browser sends a real one (must be a host the gateway serves).
 * @throws GatewayError `ERR_ACCESS_DENIED` when either check fails.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html (synchronizer token)
 */
export function checkCsrf(
  req: IncomingMessage,
  rt: GatewayRuntime,
  session: SessionRecord,
  submitted: string | null,
): void {
  const expected = mfaData(session).csrf;
  const ok =
    expected !== undefined &&
    submitted !== null &&
    submitted !== '' &&
    timingSafeEqual(digest(expected), digest(submitted));
  const origin = req.headers.origin;
  let originOk = true;
  // "null" carries no information (e.g. sent under Referrer-Policy: no-referrer): the token decides.
  if (origin !== undefined && origin !== 'null') {
    try {
      const u = new URL(origin);
      originOk = (u.protocol === 'http:' || u.protocol === 'https:') && rt.redirectScope.allowsOrigin(u);
    } catch {
      originOk = false;
    }
  }
  if (!ok || !originOk) {
    throw new GatewayError(
      'ERR_ACCESS_DENIED',
      'This form has expired or did not come from this site. Reload the page and try again.',
    );
  }
}

/** The identity after a successful MFA verification now: `mfaTime` = now (seconds), `otp` in `amr` (RFC 8176 §2). */
export function identityWithMfa(identity: Identity, nowSeconds: number): Identity {
  return {
    ...identity,
    mfaTime: nowSeconds,
    amr: Object.freeze([...new Set([...identity.amr, 'otp'])]),
  };
}

/**
 * Replaces a session by a new one with a new id (DESIGN.md invariant 6: rotated at MFA), with
 * the given identity, the same tokens and IdP, and the given MFA data (a fresh CSRF token);
 * deletes the old session.
 * @returns the new session and its `Set-Cookie` value.
 * @throws GatewayError `ERR_SESSION_STORE_UNAVAILABLE`
 */
export async function rotateSession(
  rt: GatewayRuntime,
  services: GatewayServices,
  old: SessionRecord,
  identity: Identity,
): Promise<{ session: SessionRecord; setCookie: string }> {
  const { mfa: _mfa, ...otherData } = old.data;
  const session = await services.store.create({
    idpId: old.idpId,
    identity,
    tokens: old.tokens,
    data: { ...otherData, mfa: { csrf: newCsrfToken() } },
  });
  await services.store.delete(old.id);
  services.logger.info(
    {
      event: 'session.rotated',
      reason: 'mfa',
      handle: session.handle,
      previousHandle: old.handle,
      at: epochSeconds(services.clock),
    },
    'session id rotated after MFA',
  );
  return {
    session,
    setCookie: rt.sessionCookie.serialize(session.id, rt.config.session.absolute_lifetime),
  };
}
