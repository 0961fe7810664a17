import { startLogin } from '../login-flow.js';
import { safeRedirectTarget } from '../redirect-target.js';
import type { EndpointHandler } from './context.js';

/**
 * `GET /.gatehouse/login?rd=URL[&idp=ID]`: starts a login and returns to `rd` afterwards
 * (validated by `safeRedirectTarget`; unsafe targets become `/`).
 */
export const handleLogin: EndpointHandler = async ({ res, rt, services, query }) => {
  const returnTo = safeRedirectTarget(query.get('rd'), rt.redirectScope);
  const requested = query.get('idp');
  const idpId = requested !== null && rt.relyingParties.has(requested) ? requested : rt.defaultIdp;
  await startLogin(res, rt, services, returnTo === '/' ? rt.publicUrl.href : returnTo, idpId);
};
