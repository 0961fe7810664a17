import { userInfo } from 'node:os';
import { userKey } from '../core/index.js';
import { openMfaService } from '../main.js';
import { err, out } from './output.js';

function time(seconds: number | undefined): string {
  return seconds === undefined ? '-' : new Date(seconds * 1000).toISOString();
}

/**
 * The factor key of a user: `USER` is a subject (`sub`) of `issuer` (default: the first identity
 * provider), or already a user key (`<issuer>|<sub>`, URL-encoded, as in logs and audit events).
 */
export function userKeyOf(user: string, issuer: string): string {
  return user.includes('|') ? user : userKey({ issuer, sub: user });
}

/**
 * `gatehouse mfa list USER`: the user's factors (never the secret) and unused recovery codes.
 * @returns the exit code (0; 1 when the user has no factor).
 */
export async function runMfaList(
  configFile: string,
  user: string,
  issuer: string | undefined,
): Promise<number> {
  const opened = await openMfaService(configFile);
  try {
    const key = userKeyOf(user, issuer ?? opened.defaultIssuer);
    const factors = await opened.mfa.service.listFactors(key);
    if (factors.length === 0) {
      out(`no MFA factors for ${key}`);
      return 1;
    }
    out(
      'ID                                    TYPE  STATUS   ALGORITHM  KEY ID    CREATED                   ACTIVATED                 LAST USED                 LABEL',
    );
    for (const f of factors) {
      out(
        `${f.id.padEnd(37)} ${f.type.padEnd(5)} ${f.status.padEnd(8)} ${`${f.algorithm}/${f.digits}/${f.period}s`.padEnd(10)} ${f.keyId.padEnd(9)} ${time(f.createdAt).padEnd(25)} ${time(f.activatedAt).padEnd(25)} ${time(f.lastUsedAt).padEnd(25)} ${f.label}`,
      );
    }
    out(`unused recovery codes: ${await opened.mfa.service.countRecoveryCodes(key)}`);
    return 0;
  } finally {
    await opened.mfa.close();
  }
}

/**
 * `gatehouse mfa reset USER`: deletes the user's factors, recovery codes and replay markers and
 * lifts the user's lockout (audit event `mfa.reset` with the operator's OS user as actor). The
 * user enrolls again at the next MFA prompt.
 * @returns the exit code (0; 1 when the user had no factor).
 */
export async function runMfaReset(
  configFile: string,
  user: string,
  issuer: string | undefined,
): Promise<number> {
  const opened = await openMfaService(configFile);
  try {
    const key = userKeyOf(user, issuer ?? opened.defaultIssuer);
    const count = await opened.mfa.service.reset(key, `cli:${userInfo().username}`);
    if (count === 0) {
      err(`no MFA factors for ${key} (lockout cleared)`);
      return 1;
    }
    out(`removed ${count} MFA factor(s) of ${key}; the user enrolls again at the next MFA prompt`);
    return 0;
  } finally {
    await opened.mfa.close();
  }
}
