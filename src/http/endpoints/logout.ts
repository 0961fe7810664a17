import { safeRedirectTarget } from '../redirect-target.js';
import { messageBody, sendHtml, sendJson, sendRedirect } from '../respond.js';
import type { EndpointHandler } from './context.js';

/**
 * `GET|POST /.gatehouse/logout[?rd=URL]`: deletes the server-side session, clears the cookie,
 * then sends the browser to the IdP's `end_session_endpoint` (OIDC RP-Initiated Logout 1.0 §2)
 * when it has one, else to `rd` (validated) or a signed-out page.
 */
export const handleLogout: EndpointHandler = async ({ req, res, rt, services, query, browser, requestId }) => {
  const id = rt.sessionCookie.read(req.headers.cookie);
  const session = id === undefined ? undefined : await services.store.get(id);
  if (id !== undefined) await services.store.delete(id);
  const headers = { 'set-cookie': rt.sessionCookie.clear() };
  if (session !== undefined) {
    services.logger.info({ event: 'session.logout', requestId, handle: session.handle, sub: session.identity.sub }, 'user signed out');
  }
  const rdParam = query.get('rd');
  const rd = rdParam === null ? undefined : safeRedirectTarget(rdParam, rt.redirectScope);
  if (!browser) {
    sendJson(res, 200, { signed_out: true }, headers);
    return;
  }
  if (session !== undefined) {
    const rp = rt.relyingParties.get(session.idpId);
    const endSession = rp === undefined ? undefined : await rp.endSessionUrl(session.tokens.idToken, rt.publicUrl.href);
    if (endSession !== undefined) {
      sendRedirect(res, endSession, headers);
      return;
    }
  }
  if (rd !== undefined) {
    sendRedirect(res, rd, headers);
    return;
  }
  sendHtml(res, 200, 'Signed out', messageBody('Signed out', 'You are signed out.', { href: rt.publicUrl.href, label: 'Home' }), headers);
};
