import type { Identity } from '../../core/index.js';
import type { MfaRequirement } from '../../config/index.js';

/** A compiled MFA requirement. `maxAgeSeconds` undefined: any MFA verification in the session counts. */
export interface MfaCheck {
  readonly maxAgeSeconds: number | undefined;
}

/** Compiles an `mfa:` setting; `undefined` when no MFA is required (absent or `required: false`). */
export function compileMfa(req: MfaRequirement | undefined): MfaCheck | undefined {
  if (req?.required !== true) return undefined;
  return Object.freeze({ maxAgeSeconds: 'max_age' in req ? req.max_age : undefined });
}

/** Combines requirements (route-level, policy-level, rule): required if any is, the smallest `max_age` wins. */
export function mergeMfa(...checks: readonly (MfaCheck | undefined)[]): MfaCheck | undefined {
  let out: MfaCheck | undefined;
  for (const c of checks) {
    if (c === undefined) continue;
    if (out === undefined) out = c;
    else {
      const a = out.maxAgeSeconds;
      const b = c.maxAgeSeconds;
      out = { maxAgeSeconds: a === undefined ? b : b === undefined ? a : Math.min(a, b) };
    }
  }
  return out;
}

/**
 * Checks an MFA requirement against `identity.mfaTime` (seconds since the epoch).
 * @param nowMs current time in milliseconds
 * @returns undefined when satisfied, else `mfa-required` (never verified) or `mfa-too-old`
 *   (verified more than `maxAgeSeconds` seconds ago).
 */
export function checkMfa(
  check: MfaCheck,
  identity: Identity,
  nowMs: number,
): 'mfa-required' | 'mfa-too-old' | undefined {
  if (identity.mfaTime === undefined) return 'mfa-required';
  if (
    check.maxAgeSeconds !== undefined &&
    Math.floor(nowMs / 1000) - identity.mfaTime > check.maxAgeSeconds
  )
    return 'mfa-too-old';
  return undefined;
}

/** Human text for explanations. */
export function describeMfa(
  check: MfaCheck,
  identity: Identity | undefined,
  nowMs: number,
): string {
  const limit =
    check.maxAgeSeconds === undefined
      ? 'MFA required'
      : `MFA within ${check.maxAgeSeconds}s required`;
  if (identity === undefined) return `${limit}: needs a signed-in user`;
  if (identity.mfaTime === undefined) return `${limit}: no MFA verification in this session`;
  return `${limit}: last MFA ${Math.floor(nowMs / 1000) - identity.mfaTime}s ago`;
}
