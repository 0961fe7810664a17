import { openMfaService } from '../main.js';
import { out } from './output.js';

/**
 * `gatehouse keys rotate-storage`: re-encrypts every stored MFA secret that is not under
 * `mfa.current_key_id` (audit event `mfa.storage_rotated`), then prints rows per key id. Safe to
 * run again and while gateways run. Afterwards the old key can be removed from `encryption_keys`.
 * @returns the exit code (0).
 */
export async function runKeysRotateStorage(configFile: string): Promise<number> {
  const opened = await openMfaService(configFile);
  try {
    const changed = await opened.mfa.service.rotateStorageKey();
    out(`re-encrypted ${changed} MFA secret(s) under key "${opened.mfa.config.current_key_id}"`);
    const counts = await opened.mfa.service.checkStorageKeys();
    for (const [keyId, n] of Object.entries(counts)) out(`  ${keyId}: ${n} row(s)`);
    return 0;
  } finally {
    await opened.mfa.close();
  }
}
