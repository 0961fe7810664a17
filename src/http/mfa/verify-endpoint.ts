import { epochSeconds } from '../../core/index.js';
import type { EndpointHandler } from '../endpoints/context.js';
import { sendRedirect } from '../respond.js';
import { readForm } from './form.js';
import { sendMfaHtml } from './mfa-respond.js';
import { mfaPageUrl, openMfaPage, sendLockout } from './mfa-context.js';
import { MFA_PATHS, recoveryUsedBody, verifyBody } from './mfa-pages.js';
import {
  checkCsrf,
  ensureCsrfToken,
  identityWithMfa,
  mfaData,
  rotateSession,
} from './mfa-session.js';

/**
 * `GET|POST /.gatehouse/mfa/verify?rd=URL`: asks for a TOTP code (or a recovery code) and, when
 * it is accepted, records the MFA in a new session (new id, `mfaTime` now, `otp` in `amr`) and
 * returns to `rd` (validated by `safeRedirectTarget`). Users without an active factor are sent
 * to enrollment; wrong codes show the form again; too many show the lockout page (429).
 * @throws GatewayError `ERR_ACCESS_DENIED` (CSRF), `ERR_MFA_STORE_UNAVAILABLE`, `ERR_SESSION_STORE_UNAVAILABLE`
 */
export const handleMfaVerify: EndpointHandler = async (ctx) => {
  const { req, res, rt, services, creq } = ctx;
  const form = creq.method === 'POST' ? await readForm(req) : undefined;
  const p = await openMfaPage(
    ctx,
    MFA_PATHS.verify,
    form === undefined ? ctx.query.get('rd') : form.get('rd'),
  );
  if (p === undefined) return;
  const digits = p.config.totp.digits;
  if (!(await p.mfa.hasActiveFactor(p.userKey))) {
    sendRedirect(res, mfaPageUrl(rt, MFA_PATHS.enroll, p.rd), {}, 303);
    return;
  }
  const base = { action: MFA_PATHS.verify, rd: p.rd };
  if (form === undefined) {
    const csrf = await ensureCsrfToken(services, p.session);
    sendMfaHtml(res, 200, 'Confirm it is you', verifyBody({ ...base, csrf }, digits));
    return;
  }
  checkCsrf(req, rt, p.session, form.get('csrf'));
  const result = await p.mfa.verify(
    p.userKey,
    (form.get('code') ?? '').slice(0, 64),
    creq.clientIp,
  );
  if (!result.ok) {
    if (result.reason === 'locked') {
      sendLockout(p, result.retryAfterSeconds ?? p.config.attempts.lockout);
      return;
    }
    const error =
      result.reason === 'replayed'
        ? 'This code was already used. Wait for the next code from your app.'
        : 'That code is not valid. Check that your phone shows the right time and try again.';
    sendMfaHtml(
      res,
      400,
      'Confirm it is you',
      verifyBody({ ...base, csrf: mfaData(p.session).csrf ?? '' }, digits, error),
    );
    return;
  }
  const now = epochSeconds(services.clock);
  const { setCookie } = await rotateSession(
    rt,
    services,
    p.session,
    identityWithMfa(p.identity, now),
  );
  services.logger.info(
    { event: 'mfa.step_up', user: p.userKey, method: result.method, requestId: ctx.requestId },
    'MFA verified',
  );
  if (result.method === 'recovery') {
    const remaining = await p.mfa.countRecoveryCodes(p.userKey);
    sendMfaHtml(
      res,
      200,
      'Recovery code accepted',
      recoveryUsedBody(remaining, p.rd, mfaPageUrl(rt, MFA_PATHS.recoveryCodes, p.rd)),
      { 'set-cookie': setCookie },
    );
    return;
  }
  sendRedirect(res, p.rd, { 'set-cookie': setCookie }, 303);
};
