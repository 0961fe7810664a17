import type { IncomingMessage } from 'node:http';
import { epochSeconds, type Identity } from '../core/index.js';
import type { SessionRecord } from '../session/index.js';
import type { GatewayRuntime, GatewayServices } from './runtime.js';

/** Refresh tokens this many seconds before the access token expires. */
const REFRESH_LEEWAY_SECONDS = 30;

/** The authenticated caller of one request. */
export interface Authentication {
  readonly session: SessionRecord;
  readonly identity: Identity;
}

/**
 * Finds the caller's live session from the session cookie and refreshes its tokens when the
 * access token is about to expire and a refresh token exists (RFC 6749 §6). A failed refresh
 * ends the session (the user logs in again).
 * @returns the authentication, or undefined when there is no live session.
 * @throws GatewayError ERR_SESSION_STORE_UNAVAILABLE when the store cannot answer (callers fail closed).
 */
export async function authenticate(
  req: IncomingMessage,
  rt: GatewayRuntime,
  services: GatewayServices,
): Promise<Authentication | undefined> {
  const id = rt.sessionCookie.read(req.headers.cookie);
  if (id === undefined) return undefined;
  let session = await services.store.get(id);
  if (session === undefined) return undefined;
  const { tokens } = session;
  if (
    tokens.refreshToken !== undefined &&
    tokens.expiresAt !== undefined &&
    epochSeconds(services.clock) >= tokens.expiresAt - REFRESH_LEEWAY_SECONDS
  ) {
    const rp = rt.relyingParties.get(session.idpId);
    try {
      if (rp === undefined) throw new Error(`identity provider ${session.idpId} is no longer configured`);
      const refreshed = await rp.refresh(tokens, session.identity);
      const updated = await services.store.update(id, { tokens: refreshed.tokens, identity: refreshed.identity });
      if (updated === undefined) return undefined;
      session = updated;
    } catch (err) {
      services.logger.info({ err, handle: session.handle, event: 'session.refresh_failed' }, 'token refresh failed; session ended');
      await services.store.delete(id);
      return undefined;
    }
  }
  services.store.touch(id).catch((err: unknown) => {
    services.logger.warn({ err, handle: session.handle }, 'could not record session activity');
  });
  return { session, identity: session.identity };
}
