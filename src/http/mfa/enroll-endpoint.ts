import { epochSeconds } from '../../core/index.js';
import type { EndpointHandler } from '../endpoints/context.js';
import { sendRedirect } from '../respond.js';
import { readForm } from './form.js';
import { sendMfaHtml } from './mfa-respond.js';
import {
  FRESH_LOGIN_SECONDS,
  mfaPageUrl,
  openMfaPage,
  primaryLoginAge,
  requireFreshLogin,
  sendLockout,
} from './mfa-context.js';
import { enrollBody, enrollRetryBody, MFA_PATHS, recoveryCodesBody } from './mfa-pages.js';
import {
  checkCsrf,
  identityWithMfa,
  mfaData,
  newCsrfToken,
  rotateSession,
  updateMfaData,
} from './mfa-session.js';

/**
 * `GET|POST /.gatehouse/mfa/enroll?rd=URL`: TOTP enrollment.
 * - GET: requires a primary login at most {@link FRESH_LOGIN_SECONDS} old (else the user signs
 *   in again with `prompt=login`); starts a pending factor and shows its QR code and secret.
 * - POST: confirms the pending factor with the first code; on success the session records the
 *   MFA (new session id) and the 10 recovery codes are shown once.
 * Users who already have an active factor are sent to verification instead.
 * @throws GatewayError `ERR_ACCESS_DENIED` (CSRF), `ERR_MFA_STORE_UNAVAILABLE`, `ERR_SESSION_STORE_UNAVAILABLE`
 */
export const handleMfaEnroll: EndpointHandler = async (ctx) => {
  const { req, res, rt, services, creq } = ctx;
  const form = creq.method === 'POST' ? await readForm(req) : undefined;
  const p = await openMfaPage(
    ctx,
    MFA_PATHS.enroll,
    form === undefined ? ctx.query.get('rd') : form.get('rd'),
  );
  if (p === undefined) return;
  if (await p.mfa.hasActiveFactor(p.userKey)) {
    sendRedirect(res, mfaPageUrl(rt, MFA_PATHS.verify, p.rd), {}, 303);
    return;
  }
  const { totp, issuer } = p.config;
  const base = { action: MFA_PATHS.enroll, rd: p.rd };
  const restart = mfaPageUrl(rt, MFA_PATHS.enroll, p.rd);

  if (form === undefined) {
    if (primaryLoginAge(p) > FRESH_LOGIN_SECONDS) {
      await requireFreshLogin(p, restart);
      return;
    }
    const account = p.identity.email ?? p.identity.preferredUsername ?? p.identity.user;
    const started = await p.mfa.beginEnrollment(p.userKey, account);
    const csrf = mfaData(p.session).csrf ?? newCsrfToken();
    await updateMfaData(services, p.session, {
      csrf,
      enroll: { factorId: started.factorId, expiresAt: started.expiresAt },
    });
    sendMfaHtml(
      res,
      200,
      'Set up a second factor',
      enrollBody(
        { ...base, csrf },
        { qrDataUrl: started.qrDataUrl, secret: started.secret, issuer, account, ...totp },
      ),
    );
    return;
  }

  checkCsrf(req, rt, p.session, form.get('csrf'));
  const data = mfaData(p.session);
  const csrf = data.csrf ?? '';
  if (data.enroll === undefined || data.enroll.expiresAt < epochSeconds(services.clock)) {
    sendRedirect(res, restart, {}, 303);
    return;
  }
  const result = await p.mfa.confirmEnrollment(
    p.userKey,
    data.enroll.factorId,
    (form.get('code') ?? '').slice(0, 64),
    creq.clientIp,
  );
  if (!result.ok) {
    switch (result.reason) {
      case 'locked':
        sendLockout(p, result.retryAfterSeconds ?? p.config.attempts.lockout);
        return;
      case 'expired':
        sendRedirect(res, restart, {}, 303);
        return;
      case 'invalid':
      case 'replayed':
        sendMfaHtml(
          res,
          400,
          'Set up a second factor',
          enrollRetryBody(
            { ...base, csrf },
            totp.digits,
            result.reason === 'replayed'
              ? 'This code was already used. Wait for the next code from your app.'
              : 'That code is not valid. Check that your phone shows the right time and enter the current code.',
            restart,
          ),
        );
        return;
    }
  }
  const now = epochSeconds(services.clock);
  const { setCookie } = await rotateSession(
    rt,
    services,
    p.session,
    identityWithMfa(p.identity, now),
  );
  services.logger.info(
    { event: 'mfa.step_up', user: p.userKey, method: 'enrollment', requestId: ctx.requestId },
    'MFA enrolled and verified',
  );
  sendMfaHtml(
    res,
    200,
    'Your recovery codes',
    recoveryCodesBody(
      result.recoveryCodes,
      'Second factor activated',
      'Your authenticator app is set up. These are your recovery codes:',
      p.rd,
    ),
    { 'set-cookie': setCookie },
  );
};
