import type { CanonicalRequest, Decision, Identity, Logger } from '../core/index.js';

/**
 * Logs one access decision as a structured audit event (`event: "access.decision"`):
 * request id, route, deciding rule, subject, effect and reasons, and the canonical request.
 * Every decision logs at info (the audit trail); lower the level to `warn` to drop them.
 */
export function auditDecision(
  logger: Logger,
  requestId: string,
  creq: CanonicalRequest,
  decision: Decision,
  identity: Identity | undefined,
): void {
  const event = {
    event: 'access.decision',
    requestId,
    route: decision.routeId,
    rule: decision.rule,
    decision: decision.effect,
    reasons: decision.reasons,
    sub: identity?.sub,
    issuer: identity?.issuer,
    method: creq.method,
    host: creq.host,
    path: creq.path,
    clientIp: creq.clientIp,
  };
  logger.info(event, 'access decision');
}
