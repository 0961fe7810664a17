import { epochSeconds, GatewayError, userKey, type Identity } from '../../core/index.js';
import type { MfaConfig } from '../../config/index.js';
import type { MfaService } from '../../mfa/index.js';
import type { SessionRecord } from '../../session/index.js';
import { authenticate } from '../authenticate.js';
import type { EndpointContext } from '../endpoints/context.js';
import { startLogin } from '../login-flow.js';
import { safeRedirectTarget } from '../redirect-target.js';
import { messageBody, sendJson, sendRedirect } from '../respond.js';
import type { GatewayRuntime } from '../runtime.js';
import { lockoutBody } from './mfa-pages.js';
import { sendMfaHtml } from './mfa-respond.js';

/** How recent the primary login must be to enroll a factor, in seconds (5 minutes). */
export const FRESH_LOGIN_SECONDS = 300;

/** Query parameter marking the return from a `prompt=login` sign-in (loop guard). */
const REAUTH_PARAM = 'reauth';
/** A session younger than this (seconds) just came back from the IdP. */
const REAUTH_LOOP_SECONDS = 120;

/** Everything an MFA page handler needs about the signed-in caller. */
export interface MfaPageContext {
  readonly ctx: EndpointContext;
  readonly mfa: MfaService;
  readonly config: MfaConfig;
  readonly session: SessionRecord;
  readonly identity: Identity;
  /** `userKey(identity)`: the key of the user's factors. */
  readonly userKey: string;
  /** Where to go afterwards: validated by `safeRedirectTarget`, absolute. */
  readonly rd: string;
}

/** `path` on the public URL with `rd` as query parameter. */
export function mfaPageUrl(rt: GatewayRuntime, path: string, rd: string): string {
  const u = new URL(path, rt.publicUrl);
  u.searchParams.set('rd', rd);
  return u.href;
}

/** The validated return target; unsafe or missing targets become the public URL. */
export function returnTarget(rt: GatewayRuntime, raw: string | null): string {
  const target = safeRedirectTarget(raw, rt.redirectScope);
  return target === '/' ? rt.publicUrl.href : target;
}

/**
 * Opens an MFA page: requires the MFA service and a live session. Without a session, browsers
 * are sent to sign in (returning to this page) and API clients get 401.
 * @returns the context, or undefined when a response was already sent.
 * @throws GatewayError `ERR_ROUTE_NOT_FOUND` when MFA is not configured; session store errors.
 */
export async function openMfaPage(
  ctx: EndpointContext,
  path: string,
  rdRaw: string | null,
): Promise<MfaPageContext | undefined> {
  const { rt, services, req, res } = ctx;
  const mfa = services.mfa;
  const config = rt.config.mfa;
  if (mfa === undefined || config === undefined)
    throw new GatewayError('ERR_ROUTE_NOT_FOUND', 'Not found.');
  const rd = returnTarget(rt, rdRaw);
  const auth = await authenticate(req, rt, services);
  if (auth === undefined) {
    const login = new URL('/.gatehouse/login', rt.publicUrl);
    login.searchParams.set('rd', mfaPageUrl(rt, path, rd));
    if (ctx.browser || req.method === 'POST') sendRedirect(res, login.href, {}, 303);
    else
      sendJson(res, 401, {
        error: 'ERR_UNAUTHENTICATED',
        message: 'Sign-in required.',
        login_url: login.href,
        request_id: ctx.requestId,
      });
    return undefined;
  }
  return {
    ctx,
    mfa,
    config,
    session: auth.session,
    identity: auth.identity,
    userKey: userKey(auth.identity),
    rd,
  };
}

/** Seconds since the primary login (`auth_time`, else when the session was created). */
export function primaryLoginAge(p: MfaPageContext): number {
  const at = p.identity.authTime ?? p.session.createdAt;
  const now = epochSeconds(p.ctx.services.clock);
  // A time in the future (beyond a minute of skew) is not trusted as fresh.
  return at > now + 60 ? Number.POSITIVE_INFINITY : now - at;
}

/**
 * Sends the user to the identity provider to sign in again (`prompt=login`), returning to
 * `returnTo` (an MFA page) with a fresh `auth_time`.
 */
export async function requireFreshLogin(p: MfaPageContext, returnTo: string): Promise<void> {
  const { rt, services, res } = p.ctx;
  if (!p.ctx.browser) {
    sendJson(res, 401, {
      error: 'login_required',
      message: 'Sign in again to set up a second factor.',
      request_id: p.ctx.requestId,
    });
    return;
  }
  const back = new URL(returnTo);
  const sessionAge = epochSeconds(services.clock) - p.session.createdAt;
  if (p.ctx.query.get(REAUTH_PARAM) !== null && sessionAge < REAUTH_LOOP_SECONDS) {
    // We just sent the user to sign in again and the IdP still reports an old auth_time
    // (IdP ignoring prompt=login, or clocks apart): stop instead of looping.
    services.logger.warn(
      {
        event: 'mfa.reauthentication_failed',
        user: p.userKey,
        authTime: p.identity.authTime,
        handle: p.session.handle,
      },
      'the identity provider did not report a fresh login after prompt=login',
    );
    sendMfaHtml(
      res,
      403,
      'Sign-in not recent',
      messageBody(
        'Sign-in not recent',
        'Setting up a second factor needs a sign-in from the last few minutes, and the identity provider did not confirm one. If this repeats, the clocks of the identity provider and the gateway may be apart; contact your administrator.',
        { href: rt.publicUrl.href, label: 'Home' },
        p.ctx.requestId,
      ),
    );
    return;
  }
  back.searchParams.set(REAUTH_PARAM, '1');
  returnTo = back.href;
  const idp = rt.relyingParties.has(p.session.idpId) ? p.session.idpId : rt.defaultIdp;
  services.logger.info(
    { event: 'mfa.reauthentication_required', user: p.userKey, handle: p.session.handle },
    'fresh login required',
  );
  await startLogin(res, rt, services, returnTo, idp, { reauthenticate: true });
}

/** Sends the "try again in N minutes" page (429 with `Retry-After`, RFC 6585 §4). */
export function sendLockout(p: MfaPageContext, retryAfterSeconds: number): void {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  sendMfaHtml(p.ctx.res, 429, 'Too many attempts', lockoutBody(seconds, p.ctx.requestId), {
    'retry-after': String(seconds),
  });
}
