import { GatewayError } from '../../core/index.js';
import { authenticate } from '../authenticate.js';
import { sendJson } from '../respond.js';
import type { EndpointHandler } from './context.js';

/**
 * `GET /.gatehouse/userinfo`: JSON of the current identity (never tokens).
 * @throws GatewayError ERR_UNAUTHENTICATED (401) without a live session.
 */
export const handleUserinfo: EndpointHandler = async ({ req, res, rt, services }) => {
  const auth = await authenticate(req, rt, services);
  if (auth === undefined) throw new GatewayError('ERR_UNAUTHENTICATED', 'Not signed in.');
  const i = auth.identity;
  sendJson(res, 200, {
    issuer: i.issuer,
    sub: i.sub,
    user: i.user,
    email: i.email,
    email_verified: i.emailVerified,
    name: i.name,
    preferred_username: i.preferredUsername,
    groups: i.groups,
    roles: rt.routes.rolesFor(i),
    amr: i.amr,
    acr: i.acr,
    auth_time: i.authTime,
    mfa_time: i.mfaTime,
    session: { handle: auth.session.handle, created_at: auth.session.createdAt, idp: auth.session.idpId },
  });
};
