/**
 * Why a decision was taken. Closed set: the audit log and `gatehouse explain` print these.
 */
export type DecisionReason =
  | 'public-route'
  | 'rule-allowed'
  | 'rule-denied'
  | 'no-rule-allowed'
  | 'user-unauthenticated'
  | 'group-missing'
  | 'email-not-allowed'
  | 'email-domain-not-allowed'
  | 'user-not-allowed'
  | 'role-missing'
  | 'claim-mismatch'
  | 'method-denied'
  | 'path-denied'
  | 'source-ip-denied'
  | 'outside-time-window'
  | 'mfa-required'
  | 'mfa-too-old'
  | 'scope-missing'
  | 'evaluation-error';

/** The effect of a decision: serve, send to login, send to MFA, or refuse. */
export type DecisionEffect = 'allow' | 'login' | 'mfa' | 'deny';

/**
 * The result of evaluating a route's policy for one request. `http/` maps `login` to a
 * redirect (browsers) or 401 (API clients), `mfa` to the MFA page, `deny` to 403.
 */
export interface Decision {
  readonly effect: DecisionEffect;
  /** Reasons that produced the effect, most decisive first. Never empty. */
  readonly reasons: readonly DecisionReason[];
  /** Id of the route the request matched. */
  readonly routeId: string;
  /** Name of the rule that decided (e.g. `allow[0]`, `deny[1]`, a named policy), if any. */
  readonly rule?: string;
  /** For `mfa` decisions: the maximum accepted age of the MFA verification, in seconds. */
  readonly mfaMaxAge?: number;
}

/** Builds a decision; reasons default to the single given reason. */
export function decision(
  effect: DecisionEffect,
  routeId: string,
  reasons: readonly DecisionReason[],
  extra: { rule?: string; mfaMaxAge?: number } = {},
): Decision {
  return { effect, routeId, reasons, ...extra };
}
