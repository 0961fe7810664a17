import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { GatewayError } from '../core/index.js';

/** JWS algorithms Gatehouse signs assertions with (RFC 7518 §3.1, RFC 8037 §3.1). */
export type AssertionAlgorithm = 'ES256' | 'RS256' | 'EdDSA';

/** The algorithms, for validation and config schemas. */
export const ASSERTION_ALGORITHMS: readonly AssertionAlgorithm[] = Object.freeze(['ES256', 'RS256', 'EdDSA']);

/**
 * One asymmetric signing key. `privateKey` is **secret** (a node:crypto KeyObject, which
 * serialises to `{}` and never prints its material); `publicJwk` is what the JWKS serves.
 */
export interface SigningKey {
  /** Key id: the JWK's own `kid` when imported with one, else its RFC 7638 SHA-256 thumbprint. */
  readonly kid: string;
  readonly alg: AssertionAlgorithm;
  /** Secret. */
  readonly privateKey: KeyObject;
  /** Public members only (`kty`, `crv`/`x`/`y` or `n`/`e`) plus `kid`, `alg`, `use: "sig"`. Frozen. */
  readonly publicJwk: Readonly<JWK>;
}

const generateKeyPairAsync = promisify(generateKeyPair);
const KID = /^[A-Za-z0-9._~-]{1,128}$/;

function invalid(message: string, cause?: unknown): GatewayError {
  return new GatewayError('ERR_CONFIG_INVALID', message, cause === undefined ? {} : { cause });
}

/** Checks that `key` has the type (and curve/size) `alg` needs. */
function checkKeyType(key: KeyObject, alg: AssertionAlgorithm): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (alg) {
    case 'ES256':
      if (type !== 'ec' || details.namedCurve !== 'prime256v1') throw invalid('ES256 needs an EC P-256 key');
      return;
    case 'RS256':
      if (type !== 'rsa' || (details.modulusLength ?? 0) < 2048) throw invalid('RS256 needs an RSA key of at least 2048 bits');
      return;
    case 'EdDSA':
      if (type !== 'ed25519') throw invalid('EdDSA needs an Ed25519 key');
      return;
  }
}

/** The algorithm a private or public key can sign with, or `undefined`. */
export function algorithmOf(key: KeyObject): AssertionAlgorithm | undefined {
  for (const alg of ASSERTION_ALGORITHMS) {
    try {
      checkKeyType(key, alg);
      return alg;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Public JWK of a key (public or private): node exports only the public members. */
export function publicJwkOf(key: KeyObject, kid: string, alg: AssertionAlgorithm): Readonly<JWK> {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  return Object.freeze({ ...(pub.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' });
}

/** Signs and verifies a probe, so a private JWK whose public members do not match fails at load. */
function selfTest(privateKey: KeyObject, alg: AssertionAlgorithm): void {
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const probe = Buffer.from('gatehouse key check');
  const signature = sign(digest, probe, privateKey);
  if (!verify(digest, probe, createPublicKey(privateKey), signature)) {
    throw invalid('the private key does not match its public part');
  }
}

async function build(privateKey: KeyObject, alg: AssertionAlgorithm, kid?: unknown): Promise<SigningKey> {
  checkKeyType(privateKey, alg);
  selfTest(privateKey, alg);
  let id: string;
  if (kid === undefined) {
    id = await calculateJwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' }), 'sha256');
  } else if (typeof kid === 'string' && KID.test(kid)) {
    id = kid;
  } else {
    throw invalid('the key\'s "kid" must be 1–128 characters of A-Z a-z 0-9 . _ ~ -');
  }
  return Object.freeze({ kid: id, alg, privateKey, publicJwk: publicJwkOf(privateKey, id, alg) });
}

/**
 * Generates a fresh signing key: P-256 for ES256, RSA 2048 bits (e = 65537) for RS256,
 * Ed25519 for EdDSA. Randomness from node:crypto.
 */
export async function generateSigningKey(alg: AssertionAlgorithm): Promise<SigningKey> {
  let pair: { privateKey: KeyObject };
  switch (alg) {
    case 'ES256':
      pair = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
      break;
    case 'RS256':
      pair = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
      break;
    case 'EdDSA':
      pair = await generateKeyPairAsync('ed25519');
      break;
  }
  return build(pair.privateKey, alg);
}

/**
 * Imports a private signing key from a PEM string (PKCS#8, or SEC1/PKCS#1), a JWK JSON
 * string, or a JWK object. The algorithm is inferred from the key type when `alg` is not
 * given. A JWK's `kid` is kept; otherwise the kid is the RFC 7638 thumbprint.
 * @throws GatewayError `ERR_CONFIG_INVALID` when the input is not a private key, has the
 *   wrong type for `alg` (P-256 / RSA ≥ 2048 / Ed25519), or its public part does not match.
 *   The message never contains key material.
 * @see RFC 7517 (JWK), RFC 7638 (thumbprint)
 */
export async function importSigningKey(source: string | JWK, alg?: AssertionAlgorithm): Promise<SigningKey> {
  let jwk: JWK | undefined;
  let privateKey: KeyObject;
  try {
    if (typeof source === 'string' && source.trimStart().startsWith('-----BEGIN')) {
      privateKey = createPrivateKey({ key: source, format: 'pem' });
    } else {
      jwk = typeof source === 'string' ? (JSON.parse(source) as JWK) : source;
      privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    }
  } catch (error) {
    throw invalid('signing key is not a valid private key (PEM or JWK)', error);
  }
  const effective = alg ?? algorithmOf(privateKey);
  if (effective === undefined) throw invalid('signing key type is not supported (use P-256, RSA ≥ 2048 or Ed25519)');
  if (jwk?.alg !== undefined && jwk.alg !== effective) throw invalid(`signing key is for ${jwk.alg}, expected ${effective}`);
  return build(privateKey, effective, jwk?.kid);
}

/**
 * The private JWK of a key, with `kid` and `alg`. **Secret**: only for the key store's
 * persistence ({@link KeyStore.toJSON}).
 */
export function privateJwkOf(key: SigningKey): JWK {
  return { ...(key.privateKey.export({ format: 'jwk' }) as JWK), kid: key.kid, alg: key.alg, use: 'sig' };
}
