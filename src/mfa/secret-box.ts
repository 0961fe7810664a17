import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { GatewayError } from '../core/index.js';
import { parseEncryptionKey } from '../config/index.js';

export { parseEncryptionKey };

/** Key ids: short and safe to embed in the sealed string. */
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encryption keys for secrets at rest: `keys` maps a key id to a 32-byte AES-256 key;
 * `currentKeyId` seals new secrets. Older keys stay only to open rows not yet re-encrypted.
 */
export interface Keyring {
  readonly currentKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** The parts of a sealed secret. All binary parts are raw bytes. */
export interface SealedParts {
  readonly keyId: string;
  /** 96-bit random nonce (NIST SP 800-38D §8.2.2). */
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  /** 128-bit GCM authentication tag. */
  readonly tag: Buffer;
}

/**
 * Builds a keyring from configuration strings.
 * @param keys key id → key text (see {@link parseEncryptionKey}).
 * @throws GatewayError `ERR_CONFIG_INVALID` when there is no key, a key id is malformed,
 *   a key does not parse, or `currentKeyId` is not among the keys.
 */
export function createKeyring(currentKeyId: string, keys: Readonly<Record<string, string>>, path = 'mfa'): Keyring {
  const map = new Map<string, Buffer>();
  for (const [id, text] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) {
      throw new GatewayError('ERR_CONFIG_INVALID', `${path}.encryption_keys: key id "${id}" must match ${KEY_ID.source}`);
    }
    map.set(id, parseEncryptionKey(text, `${path}.encryption_keys.${id}`));
  }
  if (map.size === 0) {
    throw new GatewayError('ERR_CONFIG_INVALID', `${path}.encryption_keys: MFA needs at least one encryption key`);
  }
  if (!map.has(currentKeyId)) {
    throw new GatewayError(
      'ERR_CONFIG_INVALID',
      `${path}.current_key_id: "${currentKeyId}" is not one of encryption_keys (${[...map.keys()].join(', ')})`,
    );
  }
  return { currentKeyId, keys: map };
}

/** Splits a sealed string into its parts. @throws GatewayError `ERR_INTERNAL` when malformed. */
export function unpackSealed(sealed: string): SealedParts {
  const parts = sealed.split('.');
  const [version, keyId, iv, ciphertext, tag] = parts;
  if (
    parts.length !== 5 ||
    version !== VERSION ||
    keyId === undefined ||
    !KEY_ID.test(keyId) ||
    iv === undefined ||
    ciphertext === undefined ||
    tag === undefined
  ) {
    throw new GatewayError('ERR_INTERNAL', 'sealed MFA secret is malformed');
  }
  return {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
}

/** Joins parts into the sealed string `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url). */
export function packSealed(p: SealedParts): string {
  return [VERSION, p.keyId, p.iv.toString('base64url'), p.ciphertext.toString('base64url'), p.tag.toString('base64url')].join('.');
}

/**
 * AES-256-GCM sealing of short secrets (TOTP seeds) with key ids for rotation.
 * `aad` binds a ciphertext to its row (e.g. factor id and user key): a sealed value copied
 * into another row does not open.
 * @see NIST SP 800-38D (GCM)
 */
export interface SecretBox {
  /** Id of the key new secrets are sealed under. */
  readonly currentKeyId: string;
  /** Encrypts under the current key with a fresh random IV. */
  seal(plaintext: string, aad: string): string;
  /**
   * Decrypts and authenticates.
   * @throws GatewayError `ERR_CONFIG_INVALID` when the key id is not in the keyring;
   *   `ERR_INTERNAL` when the value is malformed, tampered with, or sealed under a different key.
   */
  open(sealed: string, aad: string): string;
  /** The key id a sealed value names. @throws GatewayError `ERR_INTERNAL` when malformed. */
  keyIdOf(sealed: string): string;
  /** Whether the keyring holds `keyId`. */
  hasKey(keyId: string): boolean;
}

/** Creates a {@link SecretBox} over a keyring. */
export function createSecretBox(keyring: Keyring): SecretBox {
  const aadFor = (keyId: string, aad: string): Buffer => Buffer.from(`${VERSION}\u0000${keyId}\u0000${aad}`, 'utf8');
  return {
    currentKeyId: keyring.currentKeyId,
    seal(plaintext, aad) {
      const keyId = keyring.currentKeyId;
      const key = keyring.keys.get(keyId);
      if (!key) throw new GatewayError('ERR_CONFIG_INVALID', `MFA encryption key "${keyId}" is not configured`);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadFor(keyId, aad));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return packSealed({ keyId, iv, ciphertext, tag: cipher.getAuthTag() });
    },
    open(sealed, aad) {
      const p = unpackSealed(sealed);
      const key = keyring.keys.get(p.keyId);
      if (!key) {
        throw new GatewayError(
          'ERR_CONFIG_INVALID',
          `an MFA secret is encrypted under key id "${p.keyId}", which is not in mfa.encryption_keys`,
          { details: { keyId: p.keyId } },
        );
      }
      if (p.iv.length !== IV_BYTES || p.tag.length !== TAG_BYTES) {
        throw new GatewayError('ERR_INTERNAL', 'sealed MFA secret is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, p.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aadFor(p.keyId, aad));
        decipher.setAuthTag(p.tag);
        return Buffer.concat([decipher.update(p.ciphertext), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new GatewayError('ERR_INTERNAL', 'cannot decrypt an MFA secret: wrong key or tampered data', {
          cause,
          details: { keyId: p.keyId },
        });
      }
    },
    keyIdOf(sealed) {
      return unpackSealed(sealed).keyId;
    },
    hasKey(keyId) {
      return keyring.keys.has(keyId);
    },
  };
}
