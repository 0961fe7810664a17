import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import { GatewayError } from '../core/index.js';
import type { BeginLoginOptions, PendingLogin } from '../oidc/index.js';
import type { GatewayRuntime, GatewayServices } from './runtime.js';
import { sendRedirect } from './respond.js';

/** How long a started login may take before its state is forgotten, in seconds. */
export const LOGIN_FLOW_TTL_SECONDS = 600;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Name of the cookie binding one authorization request to this browser. One cookie per
 * flow (keyed by a hash of `state`), so logins started in several tabs do not clobber each other.
 */
export function flowCookieName(rt: GatewayRuntime, state: string): string {
  const base = `${rt.config.session.cookie_name}_flow_${sha256(state).slice(0, 12)}`;
  return rt.secureCookies && rt.config.session.cookie_domain === undefined ? `__Host-${base}` : base;
}

function flowKey(binding: string): string {
  return `login:${sha256(binding)}`;
}

/**
 * Starts the authorization code flow (OIDC Core §3.1.2.1): asks the relying party for the
 * authorization URL, keeps the pending state server-side under a hash of a random browser
 * binding, sets the binding cookie and redirects to the identity provider. `options` go to
 * the relying party (e.g. `reauthenticate` for a fresh login before MFA enrollment).
 * @throws GatewayError ERR_OIDC_DISCOVERY_FAILED, ERR_SESSION_STORE_UNAVAILABLE
 */
export async function startLogin(
  res: ServerResponse,
  rt: GatewayRuntime,
  services: GatewayServices,
  returnTo: string,
  idpId: string,
  options: BeginLoginOptions = {},
): Promise<void> {
  const rp = rt.relyingParties.get(idpId);
  if (rp === undefined) throw new GatewayError('ERR_INTERNAL', `unknown identity provider ${idpId}`);
  const { url, pending } = await rp.beginLogin(returnTo, options);
  const binding = randomBytes(32).toString('base64url');
  await services.store.putEphemeral(flowKey(binding), { ...pending }, LOGIN_FLOW_TTL_SECONDS);
  const cookie = stringifySetCookie({
    name: flowCookieName(rt, pending.state),
    value: binding,
    httpOnly: true,
    secure: rt.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge: LOGIN_FLOW_TTL_SECONDS,
    ...(rt.config.session.cookie_domain === undefined ? {} : { domain: rt.config.session.cookie_domain }),
  });
  sendRedirect(res, url, { 'set-cookie': cookie });
}

/**
 * Takes (single use) the pending login bound to this browser for the callback's `state`.
 * @returns the pending login and the Set-Cookie value clearing the binding cookie, or undefined
 *   when the browser holds no binding (expired, another browser, or a forged callback).
 */
export async function takePendingLogin(
  req: IncomingMessage,
  rt: GatewayRuntime,
  services: GatewayServices,
  state: string,
): Promise<{ pending: PendingLogin; clearCookie: string } | undefined> {
  const name = flowCookieName(rt, state);
  const header = req.headers.cookie;
  const binding = header === undefined ? undefined : parseCookie(header)[name];
  if (binding === undefined || binding === '') return undefined;
  const value = await services.store.takeEphemeral(flowKey(binding));
  if (value === undefined) return undefined;
  const clearCookie = stringifySetCookie({
    name,
    value: '',
    httpOnly: true,
    secure: rt.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge: 0,
    ...(rt.config.session.cookie_domain === undefined ? {} : { domain: rt.config.session.cookie_domain }),
  });
  return { pending: value as unknown as PendingLogin, clearCookie };
}
