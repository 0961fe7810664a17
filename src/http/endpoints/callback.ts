import { GatewayError, userKey } from '../../core/index.js';
import { takePendingLogin } from '../login-flow.js';
import { applyTrustedIdpMfa } from '../mfa/index.js';
import { safeRedirectTarget } from '../redirect-target.js';
import { messageBody, sendHtml, sendRedirect } from '../respond.js';
import type { EndpointHandler } from './context.js';

/**
 * `GET /.gatehouse/callback`: the redirection endpoint (OIDC Core §3.1.2.5). Validates the
 * browser binding and state, exchanges the code (the relying party validates the ID token),
 * replaces any previous session with a new one (new id: no fixation), and redirects to the
 * URL first asked for.
 * @throws GatewayError ERR_OIDC_STATE_MISMATCH, ERR_OIDC_CALLBACK_INVALID, ERR_OIDC_TOKEN_INVALID,
 *   ERR_SESSION_STORE_UNAVAILABLE
 */
export const handleCallback: EndpointHandler = async ({ req, res, rt, services, query, requestId }) => {
  const state = query.get('state');
  if (state === null || state === '') {
    throw new GatewayError('ERR_OIDC_CALLBACK_INVALID', 'The sign-in response is missing its state.');
  }
  const taken = await takePendingLogin(req, rt, services, state);
  if (taken === undefined) {
    sendHtml(
      res,
      400,
      'Sign-in expired',
      messageBody(
        'Sign-in expired',
        'This sign-in was started too long ago or in another browser. Please start again.',
        { href: rt.publicUrl.href, label: 'Start again' },
        requestId,
      ),
    );
    return;
  }
  const { pending, clearCookie } = taken;
  const rp = rt.relyingParties.get(pending.idpId);
  if (rp === undefined) throw new GatewayError('ERR_OIDC_CALLBACK_INVALID', 'Unknown identity provider.');
  const callbackUrl = new URL(req.url ?? '/', rt.publicUrl);
  const result = await rp.completeLogin(callbackUrl, pending);
  const trust = rt.config.identity_providers.find((p) => p.id === pending.idpId)?.trust_idp_mfa;
  const identity = applyTrustedIdpMfa(result.identity, trust);

  const previous = rt.sessionCookie.read(req.headers.cookie);
  if (previous !== undefined) await services.store.delete(previous);
  const session = await services.store.create({ idpId: pending.idpId, identity, tokens: result.tokens });
  services.logger.info(
    {
      event: 'session.login',
      requestId,
      idp: pending.idpId,
      user: userKey(result.identity),
      sub: result.identity.sub,
      handle: session.handle,
      ...(identity.mfaTime === undefined ? {} : { mfa: 'idp', amr: identity.amr }),
    },
    'user signed in',
  );
  const target = safeRedirectTarget(pending.returnTo, rt.redirectScope);
  sendRedirect(res, target, {
    'set-cookie': [clearCookie, rt.sessionCookie.serialize(session.id, rt.config.session.absolute_lifetime)],
  });
};
