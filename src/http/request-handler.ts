import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  decision as makeDecision,
  forwardedTarget,
  GatewayError,
  type CanonicalRequest,
  type Decision,
  type Identity,
} from '../core/index.js';
import { canonicalize, type CompiledRoute } from '../policy/index.js';
import { writeUpgradeError } from '../proxy/index.js';
import { authenticate, type Authentication } from './authenticate.js';
import { auditDecision } from './audit.js';
import type { ClientInfo } from './client-address.js';
import { reasonText } from './decision-text.js';
import { ENDPOINTS, RESERVED_PREFIX } from './endpoints/index.js';
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

/** Evaluates the policy; any exception is a deny (fail closed, DESIGN.md invariant 3). */
function decide(route: CompiledRoute, identity: Identity | undefined, creq: CanonicalRequest, nowMs: number): Decision {
  try {
    return route.evaluate(identity, creq, { nowMs });
  } catch {
    return makeDecision('deny', route.id, ['evaluation-error']);
  }
}

/** Authenticates; on a public route a failing session store means "anonymous", elsewhere it propagates. */
function authenticateFor(
  req: IncomingMessage,
  route: CompiledRoute,
  rt: GatewayRuntime,
  services: GatewayServices,
): Promise<Authentication | undefined> {
  // Not async: no extra promise layer on the common (non-public) path.
  const pending = authenticate(req, rt, services);
  if (!route.isPublic) return pending;
  return pending.catch((err: unknown) => {
    services.logger.warn({ err, route: route.id }, 'session lookup failed; serving public route anonymously');
    return undefined;
  });
}

function originalUrl(r: Resolved): string {
  const { creq } = r;
  const host = creq.port === undefined ? creq.host : `${creq.host}:${creq.port}`;
  return `${creq.scheme}://${host}${forwardedTarget(creq)}`;
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
    if (creq.path.startsWith(RESERVED_PREFIX)) {
      const endpoint = ENDPOINTS.get(creq.path);
      if (endpoint === undefined) throw new GatewayError('ERR_ROUTE_NOT_FOUND', 'Not found.');
      if (!endpoint.methods.has(creq.method)) {
        throw new GatewayError('ERR_METHOD_NOT_ALLOWED', 'Method not allowed.');
      }
      await endpoint.handler({ req, res, creq, rt, services, requestId, query: new URLSearchParams(creq.query), browser });
      return;
    }
    const route = rt.routes.match(creq);
    if (route === undefined) throw new GatewayError('ERR_ROUTE_NOT_FOUND', 'No application is served at this address.');
    const auth = await authenticateFor(req, route, rt, services);
    const decision = decide(route, auth?.identity, creq, services.clock.now());
    auditDecision(logger, requestId, creq, decision, auth?.identity);
    switch (decision.effect) {
      case 'allow': {
        const target = buildForwardTarget(req, rt, route, creq, r.info, auth?.identity, requestId);
        services.forwarder.web(req, res, target, (err) => {
          sendError(req, res, err, { logger, requestId });
        });
        return;
      }
      case 'login': {
        if (!browser) {
          sendJson(
            res,
            401,
            { error: 'ERR_UNAUTHENTICATED', message: 'Sign-in required.', login_url: loginUrl(rt, originalUrl(r)), request_id: requestId },
            { 'www-authenticate': 'Bearer realm="gatehouse"' },
          );
          return;
        }
        const returnTo = originalUrl(r);
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
        const mfaInput = { res, rt, services, requestId, browser, route, decision, auth, originalUrl: originalUrl(r) };
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
          sendJson(res, 403, { error: 'ERR_ACCESS_DENIED', route: route.id, reason, message: text, request_id: requestId });
        }
        return;
      }
    }
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, r: Resolved): Promise<void> {
    const { rt, creq, requestId } = r;
    const route = creq.path.startsWith(RESERVED_PREFIX) ? undefined : rt.routes.match(creq);
    if (route === undefined) {
      writeUpgradeError(socket, 404, 'Not found');
      return;
    }
    const auth = await authenticateFor(req, route, rt, services);
    const decision = decide(route, auth?.identity, creq, services.clock.now());
    auditDecision(logger, requestId, creq, decision, auth?.identity);
    if (decision.effect === 'allow') {
      const target = buildForwardTarget(req, rt, route, creq, r.info, auth?.identity, requestId);
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
        sendError(req, res, err, { logger, requestId: r.requestId });
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

/** `/.gatehouse/login` on the public URL, returning to `returnTo`. */
function loginUrl(rt: GatewayRuntime, returnTo: string): string {
  const u = new URL('/.gatehouse/login', rt.publicUrl);
  u.searchParams.set('rd', returnTo);
  return u.href;
}
