import { randomBytes, randomInt, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import type { StoredRecoveryCode } from './types.js';

/**
 * Crockford Base32 alphabet, lower case (no i, l, o, u): easy to read aloud and type.
 * @see https://www.crockford.com/base32.html
 */
export const RECOVERY_CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Characters per code: 12 × 5 bits = 60 bits of entropy. */
export const RECOVERY_CODE_LENGTH = 12;
/** Codes per batch. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * scrypt parameters for hashing recovery codes: N = 2^14, r = 8, p = 1 (16 MiB, tens of
 * milliseconds), 32-byte output, 16-byte salt per batch. Codes carry 60 random bits, so this
 * makes an offline search of a stolen database infeasible without needing a server pepper
 * (which would tie codes to a key that rotation wants to retire).
 * @see RFC 7914 (scrypt)
 */
export const RECOVERY_KDF = Object.freeze({ N: 2 ** 14, r: 8, p: 1, keyLength: 32, saltBytes: 16 });

/** A fresh code formatted for humans: `xxxx-xxxx-xxxx` (60 random bits). */
export function generateRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++) s += RECOVERY_CODE_ALPHABET.charAt(randomInt(RECOVERY_CODE_ALPHABET.length));
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/**
 * The canonical form of what a user typed: lower case, without spaces and dashes, with the
 * look-alikes `o`→`0` and `i`/`l`→`1` mapped (Crockford decoding).
 * @returns 12 alphabet characters, or `null` when the input cannot be a recovery code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const s = input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  if (s.length !== RECOVERY_CODE_LENGTH) return null;
  for (const ch of s) if (!RECOVERY_CODE_ALPHABET.includes(ch)) return null;
  return s;
}

/** scrypt of a normalized code. Runs on the libuv thread pool (does not block the event loop). */
export function hashRecoveryCode(normalized: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      normalized,
      salt,
      RECOVERY_KDF.keyLength,
      { N: RECOVERY_KDF.N, r: RECOVERY_KDF.r, p: RECOVERY_KDF.p },
      (err, key) => {
        if (err) reject(err);
        else resolve(key);
      },
    );
  });
}

/** A new batch: the plaintext codes (show once) and the rows to store (hashes only). */
export interface RecoveryCodeBatch {
  readonly codes: readonly string[];
  readonly stored: readonly StoredRecoveryCode[];
}

/**
 * Creates `count` codes for a user, hashed with one random salt per batch.
 * @param now seconds since the epoch.
 */
export async function createRecoveryCodeBatch(userKey: string, now: number, count = RECOVERY_CODE_COUNT): Promise<RecoveryCodeBatch> {
  const salt = randomBytes(RECOVERY_KDF.saltBytes);
  const codes = Array.from({ length: count }, generateRecoveryCode);
  const stored = await Promise.all(
    codes.map(async (code) => ({
      id: randomUUID(),
      userKey,
      salt: salt.toString('base64url'),
      hash: (await hashRecoveryCode(normalizeRecoveryCode(code) ?? '', salt)).toString('base64url'),
      createdAt: now,
    })),
  );
  return { codes, stored };
}

/**
 * Finds the stored row matching a normalized code. Hashes once per distinct salt and compares
 * against every row in constant time, without stopping at the first match.
 */
export async function findRecoveryCode(
  normalized: string,
  stored: readonly StoredRecoveryCode[],
): Promise<StoredRecoveryCode | undefined> {
  const bySalt = new Map<string, Buffer>();
  for (const row of stored) {
    if (!bySalt.has(row.salt)) bySalt.set(row.salt, await hashRecoveryCode(normalized, Buffer.from(row.salt, 'base64url')));
  }
  let found: StoredRecoveryCode | undefined;
  for (const row of stored) {
    const candidate = bySalt.get(row.salt);
    const expected = Buffer.from(row.hash, 'base64url');
    if (candidate && candidate.length === expected.length && timingSafeEqual(candidate, expected)) found ??= row;
  }
  return found;
}
