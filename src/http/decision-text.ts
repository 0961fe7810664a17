import type { DecisionReason } from '../core/index.js';

/**
 * What a denied user is told for each reason: enough to understand, nothing about the
 * policy's internals (which groups or addresses would be allowed).
 */
const TEXT: Readonly<Record<DecisionReason, string>> = {
  'public-route': 'This page is public.',
  'rule-allowed': 'Access is allowed.',
  'rule-denied': 'A rule of this application refuses this request.',
  'no-rule-allowed': 'Your account is not allowed to use this application.',
  'user-unauthenticated': 'You need to sign in.',
  'group-missing': 'Your account is not in a group allowed to use this application.',
  'email-not-allowed': 'Your account is not allowed to use this application.',
  'email-domain-not-allowed': 'Accounts of your organisation are not allowed to use this application.',
  'user-not-allowed': 'Your account is not allowed to use this application.',
  'role-missing': 'Your account does not have a role allowed to use this application.',
  'claim-mismatch': 'Your account is not allowed to use this application.',
  'method-denied': 'This kind of request is not allowed here.',
  'path-denied': 'This page is not allowed for your account.',
  'source-ip-denied': 'This application cannot be used from your network.',
  'outside-time-window': 'This application cannot be used at this time.',
  'mfa-required': 'This application needs a second factor.',
  'mfa-too-old': 'This application needs you to confirm your second factor again.',
  'scope-missing': 'The token does not carry the scope this API needs.',
  'evaluation-error': 'Access could not be decided, so it is refused.',
};

/** The user-facing sentence for a decision reason. */
export function reasonText(reason: DecisionReason | undefined): string {
  return reason === undefined ? TEXT['no-rule-allowed'] : TEXT[reason];
}
