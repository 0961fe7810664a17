import { GatewayError, isGatewayError, userKey } from '../../core/index.js';
import { bearerChallengeFor, decideAccess, insufficientScopeChallenge, loginUrl, originalUrl } from '../access.js';
import { auditDecision } from '../audit.js';
import { reasonText } from '../decision-text.js';
import type { EndpointHandler } from '../endpoints/context.js';
import { upstreamIdentityHeaders } from '../identity/identity-headers.js';
import type { RouteIdentity } from '../identity/upstream-identity.js';
import type { GatewayRuntime } from '../runtime.js';
import { isBrowserNavigation } from '../negotiation.js';
import { sendJson, sendRedirect } from '../respond.js';
import { mfaPageUrl } from '../mfa/mfa-context.js';
import { MFA_PATHS } from '../mfa/index.js';
import { originalRequest } from './original-request.js';

/**
 * Response header with the request's `Cookie` minus the gateway's cookies and the route's
 * `strip_cookies`: the proxy sends it upstream as `Cookie` so the session cookie never reaches
 * the app. Empty when nothing is left.
 */
export const UPSTREAM_COOKIE_HEADER = 'x-gatehouse-cookie';

function upstreamCookie(cookie: string | undefined, rt: GatewayRuntime, routeIdentity: RouteIdentity): string | undefined {
  if (cookie === undefined) return undefined;
  const kept = routeIdentity.headers.prepare(rt.shaper.strip({ cookie }, { allowRewriteHeaders: true })).cookie;
  return typeof kept === 'string' && kept !== '' ? kept : undefined;
}

/** Errors about the original request: the proxy gets a deny (fail closed), not a 4xx it turns into 500. */
const DENY_CODES = new Set(['ERR_REQUEST_TARGET_INVALID', 'ERR_REQUEST_HOST_UNKNOWN', 'ERR_ROUTE_NOT_FOUND']);

/**
 * `/.gatehouse/auth/nginx`, `/.gatehouse/auth/forwarded`, `/.gatehouse/auth/envoy/<path>` (any
 * method; the path names the proxy's convention, see `originalRequest`): the forward-auth
 * endpoint an external proxy (nginx `auth_request`, Traefik ForwardAuth, Caddy `forward_auth`,
 * Envoy `ext_authz`) asks before serving a request itself. Answered only to `trusted_proxies`.
 * The original request is canonicalised, matched and decided with the same code as the proxy
 * mode ({@link decideAccess}), then:
 * - allow: 200, empty body, with the identity headers, the route's header mapping and the
 *   assertion as response headers for the proxy to copy upstream, and `X-Gatehouse-Cookie`
 *   (the `Cookie` to send upstream, without the gateway's cookies). Every identity, template,
 *   assertion and cookie header is present, empty when it has no value;
 * - login: 401 with `Location: <login URL>` for nginx (which only accepts 401/403; use
 *   `auth_request_set … $upstream_http_location` and `error_page 401`), 302 to the login URL
 *   for browsers behind Traefik/Caddy/Envoy, 401 JSON with `login_url` for API clients;
 * - MFA needed (with Gatehouse's MFA configured and a session): like a login, to the MFA page;
 * - deny, unknown route, ambiguous target: 403 JSON; a rejected bearer token: 401 with
 *   `WWW-Authenticate: Bearer error="invalid_token"`.
 * @throws GatewayError `ERR_ACCESS_DENIED` (403) for an untrusted peer; dependency failures
 *   (session store, identity provider) as 5xx.
 */
export const handleForwardAuth: EndpointHandler = async ({ req, res, rt, services, requestId }) => {
  if (!rt.upstreamIdentity.isTrustedPeer(req)) {
    throw new GatewayError('ERR_ACCESS_DENIED', 'Forward-auth requests are answered only to trusted_proxies.');
  }
  const info = rt.clientInfo(req);
  const browser = isBrowserNavigation(req);
  let original;
  let access;
  try {
    original = originalRequest(req, req.url ?? '', info, rt);
    access = await decideAccess(req, original.creq, rt, services);
  } catch (err) {
    const challenge = bearerChallengeFor(err);
    if (challenge !== undefined && isGatewayError(err)) {
      sendJson(res, 401, { error: err.code, message: err.message, request_id: requestId }, challenge);
      return;
    }
    if (isGatewayError(err) && DENY_CODES.has(err.code)) {
      services.logger.info({ event: 'forward_auth.refused', code: err.code, requestId }, err.message);
      sendJson(res, 403, { error: 'ERR_ACCESS_DENIED', reason: err.code, message: err.message, request_id: requestId });
      return;
    }
    throw err;
  }
  const { creq, style } = original;
  const { decision, caller, route } = access;
  auditDecision(services.audit, requestId, creq, decision, caller?.identity);
  switch (decision.effect) {
    case 'allow': {
      // Every header the gateway owns is named, empty when it has no value, so that proxies
      // that copy by name (Caddy 2.6 sends unresolved placeholders otherwise) never forward a
      // client's value or a placeholder.
      const headers: Record<string, string> = { 'cache-control': 'no-store', 'content-length': '0' };
      for (const name of Object.values(rt.config.identity_headers)) headers[name.toLowerCase()] = '';
      for (const name of access.routeIdentity.headers.templateNames) headers[name.toLowerCase()] = '';
      if (rt.config.assertion.enabled) headers[rt.config.assertion.header.toLowerCase()] = '';
      for (const [name, value] of await upstreamIdentityHeaders(access, creq, rt, services)) headers[name] = value;
      headers[UPSTREAM_COOKIE_HEADER] = upstreamCookie(req.headers.cookie, rt, access.routeIdentity) ?? '';
      res.writeHead(200, headers);
      res.end();
      return;
    }
    case 'login': {
      const login = loginUrl(rt, originalUrl(creq));
      if (caller?.bearer === undefined && browser && style !== 'nginx') {
        sendRedirect(res, login);
        return;
      }
      sendJson(
        res,
        401,
        { error: 'ERR_UNAUTHENTICATED', message: 'Sign-in required.', login_url: login, request_id: requestId },
        { location: login, 'www-authenticate': 'Bearer realm="gatehouse"' },
      );
      return;
    }
    case 'mfa':
    case 'deny': {
      const reason = decision.reasons[0];
      if (decision.effect === 'mfa' && services.mfa !== undefined && caller?.session !== undefined) {
        // Step-up as in proxy mode: the user is sent to the gateway's MFA pages (enrollment when
        // there is no factor yet), like a login: 302 for browsers behind Traefik/Caddy/Envoy,
        // 401 + Location for nginx and API clients.
        const hasFactor = await services.mfa.hasActiveFactor(userKey(caller.identity));
        const mfaUrl = mfaPageUrl(rt, hasFactor ? MFA_PATHS.verify : MFA_PATHS.enroll, originalUrl(creq));
        if (browser && style !== 'nginx') {
          sendRedirect(res, mfaUrl);
          return;
        }
        sendJson(
          res,
          401,
          { error: 'mfa_required', reason, message: reasonText(reason), mfa_url: mfaUrl, request_id: requestId },
          { location: mfaUrl, 'www-authenticate': 'Bearer realm="gatehouse", error="insufficient_user_authentication"' },
        );
        return;
      }
      sendJson(
        res,
        403,
        { error: 'ERR_ACCESS_DENIED', route: route.id, reason, message: reasonText(reason), request_id: requestId },
        insufficientScopeChallenge(access),
      );
      return;
    }
  }
};
