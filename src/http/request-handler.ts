import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError, type CanonicalRequest } from '../core/index.js';
import { canonicalize } from '../policy/index.js';
import { writeUpgradeError } from '../proxy/index.js';
import { bearerChallengeFor, decideAccess, insufficientScopeChallenge, loginUrl, originalUrl } from './access.js';
import { auditDecision } from './audit.js';
import type { ClientInfo } from './client-address.js';
import { reasonText } from './decision-text.js';
import { findEndpoint, isReservedPath } from './endpoints/index.js';
import { sendError, toGatewayError } from './error-response.js';
import { buildForwardTarget } from './forward.js';
import { startLogin } from './login-flow.js';
import { respondMfaDecision } from './mfa/index.js';
import { isBrowserNavigation } from './negotiation.js';
import { messageBody, sendHtml, sendJson, sendRedirect } from './respond.js';
import type { GatewayRuntime, GatewayServices, RuntimeHolder } from './runtime.js';

/** What one request resolved to before its decision. */
interface Resolved {
  readonly rt: GatewayRuntime;
  readonly requestId: string;
  readonly info: ClientInfo;
  readonly creq: CanonicalRequest;
}

/** True when the request carries more than one Host field (RFC 9112 §3.2: answer 400). */
function hasDuplicateHost(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name !== undefined && name.length === 4 && name.toLowerCase() === 'host' && ++seen > 1) return true;
  }
  return false;
}

function resolve(req: IncomingMessage, holder: RuntimeHolder): Resolved {
  if (hasDuplicateHost(req)) throw new GatewayError('ERR_REQUEST_TARGET_INVALID', 'More than one Host header.');
  // TRACE echoes requests (cross-site tracing); the gateway never forwards it.
  if (req.method === 'TRACE') throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 'TRACE is not allowed.');
  const rt = holder.current();
  const requestId = randomUUID();
  const info = rt.clientInfo(req);
  const creq = canonicalize(
    { method: req.method ?? 'GET', target: req.url ?? '', host: info.host, scheme: info.proto, clientIp: info.ip },
    rt.routes,
  );
  return { rt, requestId, info, creq };
}

/**
 * The request pipeline (DESIGN.md): canonicalise → reserved endpoints → match route →
 * authenticate → authorize → shape identity → proxy; login / 401 / 403 / error pages otherwise.
 * Returns the `request` and `upgrade` listeners for a node:http server.
 */
export function createGatewayHandlers(holder: RuntimeHolder, services: GatewayServices) {
  const { logger } = services;

  async function handleRequest(req: IncomingMessage, res: ServerResponse, r: Resolved): Promise<void> {
    const { rt, creq, requestId } = r;
    const browser = isBrowserNavigation(req);
    if (isReservedPath(creq.path)) {
      const endpoint = findEndpoint(creq.path);
      if (endpoint === undefined) throw new GatewayError('ERR_ROUTE_NOT_FOUND', 'Not found.');
      if (endpoint.methods !== 'any' && !endpoint.methods.has(creq.method)) {
        throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 'Method not allowed.');
      }
      await endpoint.handler({ req, res, creq, rt, services, requestId, query: new URLSearchParams(creq.query), browser });
      return;
    }
    const access = await decideAccess(req, creq, rt, services);
    const { route, decision } = access;
    const auth = access.caller;
    auditDecision(services.audit, requestId, creq, decision, auth?.identity);
    switch (decision.effect) {
      case 'allow': {
        const target = await buildForwardTarget(req, rt, access, creq, r.info, requestId, services);
        services.forwarder.web(req, res, target, (err) => {
          sendError(req, res, err, { logger, requestId });
        });
        return;
      }
      case 'login': {
        if (!browser || auth?.bearer !== undefined) {
          sendJson(
            res,
            401,
            { error: 'ERR_UNAUTHENTICATED', message: 'Sign-in required.', login_url: loginUrl(rt, originalUrl(creq)), request_id: requestId },
            { 'www-authenticate': 'Bearer realm="gatehouse"' },
          );
          return;
        }
        const returnTo = originalUrl(creq);
        if (new URL(returnTo).origin === rt.publicUrl.origin) {
          await startLogin(res, rt, services, returnTo, route.idp ?? rt.defaultIdp);
        } else {
          sendRedirect(res, loginUrl(rt, returnTo));
        }
        return;
      }
      case 'mfa':
      case 'deny': {
        // An MFA requirement this gateway cannot satisfy (no mfa: configured) is a deny: fail closed.
        // Bearer callers have no session to step up: their MFA decisions are denies.
        const sessionAuth = auth?.session === undefined ? undefined : { session: auth.session, identity: auth.identity };
        const mfaInput = { res, rt, services, requestId, browser, route, decision, auth: sessionAuth, originalUrl: originalUrl(creq) };
        if (decision.effect === 'mfa' && (await respondMfaDecision(mfaInput))) return;
        const reason = decision.reasons[0];
        const who = auth?.identity.email ?? auth?.identity.user;
        const text = `${reasonText(reason)}${who === undefined ? '' : ` (signed in as ${who})`}`;
        if (browser) {
          sendHtml(
            res,
            403,
            'Access denied',
            messageBody(`Access denied to ${route.id}`, text, { href: '/.gatehouse/logout', label: 'Sign in as someone else' }, requestId),
          );
        } else {
          sendJson(res, 403, { error: 'ERR_ACCESS_DENIED', route: route.id, reason, message: text, request_id: requestId }, insufficientScopeChallenge(access));
        }
        return;
      }
    }
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, r: Resolved): Promise<void> {
    const { rt, creq, requestId } = r;
    if (isReservedPath(creq.path) || rt.routes.match(creq) === undefined) {
      writeUpgradeError(socket, 404, 'Not found');
      return;
    }
    const access = await decideAccess(req, creq, rt, services);
    const { route, decision } = access;
    auditDecision(services.audit, requestId, creq, decision, access.caller?.identity);
    if (decision.effect === 'allow') {
      const target = await buildForwardTarget(req, rt, access, creq, r.info, requestId, services);
      services.forwarder.ws(req, socket, head, target, (err) => {
        const e = toGatewayError(err);
        logger.warn({ err: e, requestId, route: route.id }, 'websocket upstream failed');
        writeUpgradeError(socket, e.status, 'Upstream unavailable');
      });
      return;
    }
    writeUpgradeError(socket, decision.effect === 'login' ? 401 : 403, decision.effect === 'login' ? 'Unauthorized' : 'Forbidden');
  }

  return {
    request(req: IncomingMessage, res: ServerResponse): void {
      let r: Resolved;
      try {
        r = resolve(req, holder);
      } catch (err) {
        sendError(req, res, err, { logger, requestId: randomUUID() });
        return;
      }
      handleRequest(req, res, r).catch((err: unknown) => {
        const headers = bearerChallengeFor(err);
        sendError(req, res, err, { logger, requestId: r.requestId, ...(headers === undefined ? {} : { headers }) });
      });
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', () => undefined);
      let r: Resolved;
      try {
        r = resolve(req, holder);
      } catch (err) {
        writeUpgradeError(socket, toGatewayError(err).status, 'Bad request');
        return;
      }
      handleUpgrade(req, socket, head, r).catch((err: unknown) => {
        const e = toGatewayError(err);
        if (e.status >= 500) logger.error({ err: e.cause ?? e, requestId: r.requestId }, e.message);
        writeUpgradeError(socket, e.status, 'Error');
      });
    },
  };
}
