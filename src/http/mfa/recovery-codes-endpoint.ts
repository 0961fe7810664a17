import { epochSeconds, isGatewayError } from '../../core/index.js';
import type { EndpointHandler } from '../endpoints/context.js';
import { sendRedirect } from '../respond.js';
import { readForm } from './form.js';
import { sendMfaHtml } from './mfa-respond.js';
import { mfaPageUrl, openMfaPage } from './mfa-context.js';
import { MFA_PATHS, recoveryCodesBody, regenerateBody } from './mfa-pages.js';
import { checkCsrf, ensureCsrfToken } from './mfa-session.js';

/**
 * `GET|POST /.gatehouse/mfa/recovery-codes?rd=URL`: replaces the user's recovery codes. Requires
 * an MFA verification within `mfa.fresh_mfa_max_age` (else the user verifies first and comes
 * back). GET shows how many codes are left and a button; POST generates and shows the new codes once.
 * @throws GatewayError `ERR_ACCESS_DENIED` (CSRF), `ERR_MFA_STORE_UNAVAILABLE`, `ERR_SESSION_STORE_UNAVAILABLE`
 */
export const handleMfaRecoveryCodes: EndpointHandler = async (ctx) => {
  const { req, res, rt, services, creq } = ctx;
  const form = creq.method === 'POST' ? await readForm(req) : undefined;
  const p = await openMfaPage(
    ctx,
    MFA_PATHS.recoveryCodes,
    form === undefined ? ctx.query.get('rd') : form.get('rd'),
  );
  if (p === undefined) return;
  if (!(await p.mfa.hasActiveFactor(p.userKey))) {
    sendRedirect(res, mfaPageUrl(rt, MFA_PATHS.enroll, p.rd), {}, 303);
    return;
  }
  const self = mfaPageUrl(rt, MFA_PATHS.recoveryCodes, p.rd);
  const verifyFirst = (): void => {
    sendRedirect(res, mfaPageUrl(rt, MFA_PATHS.verify, self), {}, 303);
  };
  const mfaTime = p.identity.mfaTime;
  const now = epochSeconds(services.clock);
  if (mfaTime === undefined || mfaTime > now + 60 || now - mfaTime > p.config.fresh_mfa_max_age) {
    verifyFirst();
    return;
  }
  if (form === undefined) {
    const csrf = await ensureCsrfToken(services, p.session);
    const remaining = await p.mfa.countRecoveryCodes(p.userKey);
    sendMfaHtml(
      res,
      200,
      'Recovery codes',
      regenerateBody({ action: MFA_PATHS.recoveryCodes, rd: p.rd, csrf }, remaining),
    );
    return;
  }
  checkCsrf(req, rt, p.session, form.get('csrf'));
  let codes: readonly string[];
  try {
    codes = await p.mfa.regenerateRecoveryCodes(p.userKey, { mfaTime });
  } catch (err) {
    if (!isGatewayError(err, 'ERR_ACCESS_DENIED')) throw err;
    verifyFirst();
    return;
  }
  sendMfaHtml(
    res,
    200,
    'Your recovery codes',
    recoveryCodesBody(
      codes,
      'New recovery codes',
      'Your old recovery codes no longer work. These are your new ones:',
      p.rd,
    ),
  );
};
