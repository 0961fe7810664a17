import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { GatewayError, epochSeconds, systemClock, type Clock } from '../core/index.js';
import { generateKeyStore, importKeyStore, type KeyStore } from './key-store.js';
import { generateSigningKey, importSigningKey, privateJwkOf, type AssertionAlgorithm, type SigningKey } from './signing-key.js';

/** Options of {@link openKeyFile}. */
export interface KeyFileOptions {
  /** The configured algorithm; a file holding keys of another algorithm is refused. */
  readonly algorithm: AssertionAlgorithm;
  /** Decides scheduled activations and retirements. Default: the system clock. */
  readonly clock?: Clock;
  /** Generate and write the file when it does not exist. Default true. */
  readonly create?: boolean;
}

function invalid(file: string, message: string, cause?: unknown): GatewayError {
  return new GatewayError('ERR_CONFIG_INVALID', `assertion key file ${file}: ${message}`, cause === undefined ? {} : { cause });
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err).code) : undefined;
}

/**
 * Writes the key store to `file` atomically: a temporary file created with mode 0600 in the
 * same directory (never readable by others, not even briefly), flushed, then renamed over
 * `file`. The file holds private keys (**secret**, see {@link KeyStore.toJSON}).
 * @throws GatewayError `ERR_CONFIG_INVALID` when the directory is not writable.
 */
export async function writeKeyFile(file: string, store: KeyStore): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(store.toJSON(), null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw invalid(file, `cannot write (${errnoCode(err) ?? 'error'})`, err);
  }
}

/** Creates the file exclusively; when another process won the race, reads theirs. */
async function createKeyFile(file: string, algorithm: AssertionAlgorithm, clock: Clock): Promise<KeyStore | undefined> {
  const store = await generateKeyStore(algorithm, { clock });
  let handle;
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    handle = await open(file, 'wx', 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return undefined;
    throw invalid(file, `cannot create (${errnoCode(err) ?? 'error'})`, err);
  }
  try {
    await handle.writeFile(`${JSON.stringify(store.toJSON(), null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return store;
}

/**
 * Opens the assertion key store kept in `file` (the gateway's durable key storage): a JSON
 * {@link KeyStoreJSON} with private keys, mode 0600. When the file does not exist and
 * `create` is not false, a store with one fresh key is generated and written (exclusive
 * create, so two instances starting together end up with the same keys; missing directories
 * are created with mode 0700).
 * @throws GatewayError `ERR_CONFIG_INVALID` when the file cannot be read or written, is
 *   readable or writable by group or others, is not a key store, or holds keys of another
 *   algorithm than `options.algorithm`. Messages never contain key material.
 */
export async function openKeyFile(file: string, options: KeyFileOptions): Promise<KeyStore> {
  const clock = options.clock ?? systemClock;
  let text: string;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw invalid(file, `is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (errnoCode(err) === 'ENOENT' && options.create !== false) {
      const created = await createKeyFile(file, options.algorithm, clock);
      if (created !== undefined) return created;
      return openKeyFile(file, { ...options, create: false });
    }
    throw invalid(file, errnoCode(err) === 'ENOENT' ? 'does not exist' : `cannot read (${errnoCode(err) ?? 'error'})`, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(file, 'is not JSON', err);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) {
    throw invalid(file, 'is not a Gatehouse key store (version 1)');
  }
  let store: KeyStore;
  try {
    store = await importKeyStore(text, { clock });
  } catch (err) {
    throw invalid(file, err instanceof Error ? err.message : 'invalid keys', err);
  }
  if (store.algorithm !== options.algorithm) {
    throw invalid(file, `holds ${store.algorithm} keys but assertion.algorithm is ${options.algorithm}; move the file away to start a new key store`);
  }
  return store;
}

/** Options of {@link rotateKeyFile}. */
export interface RotateKeyFileOptions {
  readonly algorithm: AssertionAlgorithm;
  readonly clock?: Clock;
  /**
   * How long the next key is published before it signs, in seconds: at least as long as
   * verifiers cache the JWKS. 0 activates it at once.
   */
  readonly publishForSeconds: number;
  /**
   * How long the former key stays published after the switch, in seconds: at least the
   * assertion lifetime plus clock skew between gateway instances.
   */
  readonly retireAfterSeconds: number;
}

/** What a rotation did. Times in seconds since the epoch. */
export interface RotationResult {
  /** The key that signs until `activatesAt`. */
  readonly currentKid: string;
  /** The new key, published now. */
  readonly nextKid: string;
  readonly activatesAt: number;
  /** The former key is published until then. */
  readonly retiredUntil: number;
}

/**
 * Rotates the key store in `file`: generates a new key and publishes it as the next key,
 * scheduled to sign from `now + publishForSeconds`; the current key keeps signing until then
 * and stays published `retireAfterSeconds` longer. The file is rewritten atomically (0600);
 * running gateways pick it up (file watch or SIGHUP) and switch at the scheduled time.
 * @throws GatewayError `ERR_CONFIG_INVALID` as {@link openKeyFile}, or when a rotation is
 *   still scheduled (its next key has not become current yet).
 */
export async function rotateKeyFile(file: string, options: RotateKeyFileOptions): Promise<RotationResult> {
  const clock = options.clock ?? systemClock;
  const store = await openKeyFile(file, { algorithm: options.algorithm, clock, create: false });
  const pending = store.next();
  if (pending !== undefined) {
    const at = store.nextSchedule()?.activatesAt;
    throw invalid(
      file,
      `a rotation is already in progress: key ${pending.kid} ${at === undefined ? 'is published but not scheduled' : `signs from ${new Date(at * 1000).toISOString()}`}; rotate again after that`,
    );
  }
  const next = await generateSigningKey(options.algorithm);
  const activatesAt = epochSeconds(clock) + Math.max(0, Math.floor(options.publishForSeconds));
  const retireAfter = Math.max(0, Math.floor(options.retireAfterSeconds));
  const currentKid = store.current().kid;
  store.addNext(next, { activatesAt, retireAfter });
  await writeKeyFile(file, store);
  return { currentKid, nextKid: next.kid, activatesAt, retiredUntil: activatesAt + retireAfter };
}

async function readSigningKeyFile(file: string, algorithm: AssertionAlgorithm): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw invalid(file, `cannot read (${errnoCode(err) ?? 'error'})`, err);
  }
  try {
    return await importSigningKey(text, algorithm);
  } catch (err) {
    throw invalid(file, err instanceof Error ? err.message : 'invalid key', err);
  }
}

async function readPublishedJwkFile(file: string): Promise<JWK> {
  try {
    const jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
    if (typeof jwk !== 'object' || typeof jwk.kty !== 'string') throw new Error('not a JWK');
    return { ...jwk, kid: jwk.kid ?? (await calculateJwkThumbprint(jwk, 'sha256')) };
  } catch (err) {
    throw invalid(file, 'is not a JWK (JSON)', err);
  }
}

/**
 * A key store from keys you manage: `privateKeyFile` (PEM: PKCS#8, SEC1 or PKCS#1; or a
 * private JWK) signs; each of `publishFiles` (a JWK, public or private, only its public part
 * is kept; without `kid` its RFC 7638 thumbprint is the kid) is published too, e.g. the key
 * you are rotating away from. Rotate by replacing the files and reloading (SIGHUP).
 * @throws GatewayError `ERR_CONFIG_INVALID` naming the file that is unreadable, not a key,
 *   or not a key for `algorithm`.
 */
export async function keyStoreFromFiles(
  privateKeyFile: string,
  publishFiles: readonly string[],
  algorithm: AssertionAlgorithm,
  clock: Clock = systemClock,
): Promise<KeyStore> {
  const current = await readSigningKeyFile(privateKeyFile, algorithm);
  const previous = [];
  for (const f of publishFiles) {
    const jwk = await readPublishedJwkFile(f);
    if (jwk.kid === current.kid) continue;
    previous.push({ jwk });
  }
  try {
    return await importKeyStore({ algorithm, current: privateJwkOf(current), previous }, { clock });
  } catch (err) {
    throw invalid(privateKeyFile, err instanceof Error ? err.message : 'invalid keys', err);
  }
}
