import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { GatewayError, epochSeconds, systemClock, type Clock } from '../core/index.js';
import {
  algorithmOf,
  generateSigningKey,
  importSigningKey,
  privateJwkOf,
  publicJwkOf,
  type AssertionAlgorithm,
  type SigningKey,
} from './signing-key.js';

/** A JSON Web Key Set (RFC 7517 §5) of public keys. */
export interface PublicJwks {
  keys: JWK[];
}

/**
 * Serialised key store. **Secret**: `current` and `next` are private JWKs (with `d`).
 * Store it like a password (file mode 0600, secret manager); never log it.
 * `previous` holds public JWKs only, with `until` (seconds since the epoch) once retired.
 */
export interface KeyStoreJSON {
  readonly version: 1;
  readonly algorithm: AssertionAlgorithm;
  readonly current: JWK;
  readonly next?: JWK;
  /** When `next` becomes current by itself, seconds since the epoch (see {@link NextKeySchedule}). */
  readonly next_activates_at?: number;
  /** Seconds the former current key stays published after a scheduled activation. */
  readonly retire_after?: number;
  readonly previous: readonly { readonly jwk: JWK; readonly until?: number }[];
}

/**
 * A scheduled rotation: the next key becomes current by itself at `activatesAt` (seconds
 * since the epoch), and the former current key stays published for `retireAfter` seconds
 * after that (at least the assertion lifetime, so every assertion it signed can be verified).
 * Deterministic: every process that loaded the same store switches at the same time.
 */
export interface NextKeySchedule {
  readonly activatesAt: number;
  readonly retireAfter: number;
}

/** Input of {@link importKeyStore}: keys as PEM strings, JWK JSON strings or JWK objects. */
export interface KeyStoreImport {
  /** Required unless inferable from `current`'s key type. */
  readonly algorithm?: AssertionAlgorithm;
  readonly current: string | JWK;
  readonly next?: string | JWK;
  /** When `next` becomes current by itself (seconds since the epoch). */
  readonly next_activates_at?: number;
  /** Seconds the former key stays published after the scheduled activation. Default 0. */
  readonly retire_after?: number;
  /** Former keys still published: public JWKs (private members are discarded). */
  readonly previous?: readonly { readonly jwk: string | JWK; readonly until?: number }[];
}

/** Options of {@link generateKeyStore} and {@link importKeyStore}. */
export interface KeyStoreOptions {
  /** Decides when retired keys stop being published. Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * The assertion signing keys and their rotation. One algorithm per store.
 *
 * Rotation without a verification gap (RFC 7517 key rollover):
 * 1. `addNext(key)`: the next key is published in the JWKS but not used; wait until every
 *    verifier has refreshed its JWKS cache.
 * 2. `promoteNext()`: the next key signs from now on; the former current key stays
 *    published (as "previous") because assertions it signed are still valid.
 * 3. `retire(oldKid, now + ttlSeconds)`: the former key is published until then (the
 *    expiry of the last assertion it signed), and dropped after.
 */
export interface KeyStore {
  readonly algorithm: AssertionAlgorithm;
  /** The key that signs now. */
  current(): SigningKey;
  /** The key published ahead of its use, if any. */
  next(): SigningKey | undefined;
  /** The schedule of the next key, when it activates by itself (see {@link addNext}). */
  nextSchedule(): NextKeySchedule | undefined;
  /** Public JWKs of former keys still published, with `until` (seconds since the epoch) once retired. */
  previous(): readonly { readonly jwk: Readonly<JWK>; readonly until?: number }[];
  /**
   * The public JWKS: current, next, and previous keys not yet past their `until`.
   * Each key has `kid`, `alg`, `use`; no private member (`d`, `p`, `q`, …). Fresh objects.
   */
  publicJwks(): PublicJwks;
  /**
   * Publishes `key` as the next key. With `schedule`, the key becomes current by itself at
   * `schedule.activatesAt` and the former current key is retired until
   * `activatesAt + retireAfter` (checked whenever the store is read, against its clock).
   * @throws GatewayError `ERR_CONFIG_INVALID` when its algorithm differs from the store's,
   *   its kid is already in the store, a next key exists, or the schedule is not integral.
   */
  addNext(key: SigningKey, schedule?: NextKeySchedule): void;
  /**
   * Makes the next key current; the former current key stays published until retired.
   * Returns the former current key.
   * @throws GatewayError `ERR_CONFIG_INVALID` when there is no next key.
   */
  promoteNext(): SigningKey;
  /**
   * Keeps a previous key published until `untilEpochSeconds` (seconds since the epoch),
   * then drops it. Pass `now + ttlSeconds` of the signer. A time in the past drops it now.
   * @throws GatewayError `ERR_CONFIG_INVALID` for the current or next key, or an unknown kid.
   */
  retire(kid: string, untilEpochSeconds: number): void;
  /** The store for persistence. **Secret**: contains private keys; see {@link KeyStoreJSON}. */
  toJSON(): KeyStoreJSON;
}

interface Previous {
  readonly publicJwk: Readonly<JWK>;
  until?: number;
}

function invalid(message: string): GatewayError {
  return new GatewayError('ERR_CONFIG_INVALID', message);
}

class RotatingKeyStore implements KeyStore {
  readonly algorithm: AssertionAlgorithm;
  #current: SigningKey;
  #next: SigningKey | undefined;
  #schedule: NextKeySchedule | undefined;
  readonly #previous = new Map<string, Previous>();
  readonly #clock: Clock;

  constructor(current: SigningKey, clock: Clock) {
    this.algorithm = current.alg;
    this.#current = current;
    this.#clock = clock;
  }

  current(): SigningKey {
    this.#settle();
    return this.#current;
  }

  next(): SigningKey | undefined {
    this.#settle();
    return this.#next;
  }

  nextSchedule(): NextKeySchedule | undefined {
    this.#settle();
    return this.#schedule;
  }

  previous(): readonly { readonly jwk: Readonly<JWK>; readonly until?: number }[] {
    this.#settle();
    this.#prune();
    return [...this.#previous.values()].map((p) => (p.until === undefined ? { jwk: p.publicJwk } : { jwk: p.publicJwk, until: p.until }));
  }

  /** Applies a scheduled activation whose time has come. */
  #settle(): void {
    const schedule = this.#schedule;
    if (schedule === undefined || this.#next === undefined) return;
    if (epochSeconds(this.#clock) < schedule.activatesAt) return;
    const former = this.promoteNext();
    this.#previous.set(former.kid, { publicJwk: former.publicJwk, until: schedule.activatesAt + schedule.retireAfter });
    this.#prune();
  }

  #prune(): void {
    const now = epochSeconds(this.#clock);
    for (const [kid, p] of this.#previous) if (p.until !== undefined && p.until <= now) this.#previous.delete(kid);
  }

  #has(kid: string): boolean {
    return kid === this.#current.kid || kid === this.#next?.kid || this.#previous.has(kid);
  }

  addPrevious(publicJwk: Readonly<JWK>, until: number | undefined): void {
    if (typeof publicJwk.kid !== 'string' || this.#has(publicJwk.kid)) throw invalid('previous key has no kid or a duplicate kid');
    this.#previous.set(publicJwk.kid, until === undefined ? { publicJwk } : { publicJwk, until });
  }

  publicJwks(): PublicJwks {
    this.#settle();
    this.#prune();
    const keys = [this.#current.publicJwk, ...(this.#next ? [this.#next.publicJwk] : [])];
    for (const p of this.#previous.values()) keys.push(p.publicJwk);
    return { keys: keys.map((k) => ({ ...k })) };
  }

  addNext(key: SigningKey, schedule?: NextKeySchedule): void {
    this.#settle();
    if (key.alg !== this.algorithm) throw invalid(`next key is for ${key.alg}, the store signs with ${this.algorithm}`);
    if (this.#next !== undefined) throw invalid('a next key is already published; promote it first');
    if (this.#has(key.kid)) throw invalid(`key id "${key.kid}" is already in the key store`);
    if (schedule !== undefined && !(Number.isInteger(schedule.activatesAt) && Number.isInteger(schedule.retireAfter) && schedule.retireAfter >= 0)) {
      throw invalid('a key schedule needs whole seconds: activatesAt and retireAfter ≥ 0');
    }
    this.#next = key;
    this.#schedule = schedule;
    this.#settle();
  }

  promoteNext(): SigningKey {
    const next = this.#next;
    if (next === undefined) throw invalid('no next key to promote; add one with addNext first');
    const former = this.#current;
    this.#previous.set(former.kid, { publicJwk: former.publicJwk });
    this.#current = next;
    this.#next = undefined;
    this.#schedule = undefined;
    return former;
  }

  retire(kid: string, untilEpochSeconds: number): void {
    this.#settle();
    if (kid === this.#current.kid || kid === this.#next?.kid) throw invalid(`key "${kid}" is in use; only previous keys can be retired`);
    const p = this.#previous.get(kid);
    if (p === undefined) throw invalid(`no previous key "${kid}" in the key store`);
    p.until = untilEpochSeconds;
    this.#prune();
  }

  toJSON(): KeyStoreJSON {
    this.#settle();
    this.#prune();
    const schedule = this.#schedule;
    return {
      version: 1,
      algorithm: this.algorithm,
      current: privateJwkOf(this.#current),
      ...(this.#next ? { next: privateJwkOf(this.#next) } : {}),
      ...(this.#next && schedule ? { next_activates_at: schedule.activatesAt, retire_after: schedule.retireAfter } : {}),
      previous: [...this.#previous.values()].map((p) => ({
        jwk: { ...p.publicJwk },
        ...(p.until === undefined ? {} : { until: p.until }),
      })),
    };
  }
}

/**
 * A new key store with one freshly generated current key.
 * @see {@link generateSigningKey} for key sizes.
 */
export async function generateKeyStore(algorithm: AssertionAlgorithm, options: KeyStoreOptions = {}): Promise<KeyStore> {
  return new RotatingKeyStore(await generateSigningKey(algorithm), options.clock ?? systemClock);
}

function publicFrom(source: string | JWK, algorithm: AssertionAlgorithm): Readonly<JWK> {
  let jwk: JWK;
  try {
    jwk = typeof source === 'string' ? (JSON.parse(source) as JWK) : source;
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    if (algorithmOf(key) !== algorithm) throw invalid(`previous key is not a ${algorithm} key`);
    if (typeof jwk.kid !== 'string') throw invalid('previous key has no "kid"');
    return publicJwkOf(key, jwk.kid, algorithm);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('ERR_CONFIG_INVALID', 'previous key is not a valid JWK', { cause: error });
  }
}

/**
 * Rebuilds a key store from PEM or JWK keys, or from its {@link KeyStore.toJSON} output
 * (a parsed object or the JSON text). A bare string is taken as the current key alone.
 * @throws GatewayError `ERR_CONFIG_INVALID` for invalid keys (see {@link importSigningKey}),
 *   mixed algorithms or duplicate key ids.
 */
export async function importKeyStore(
  source: string | KeyStoreImport | KeyStoreJSON,
  options: KeyStoreOptions = {},
): Promise<KeyStore> {
  let input: KeyStoreImport;
  if (typeof source === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch {
      parsed = undefined; // PEM, or invalid JSON that importSigningKey reports
    }
    input =
      typeof parsed === 'object' && parsed !== null && (parsed as { version?: unknown }).version === 1
        ? (parsed as KeyStoreJSON)
        : { current: source };
  } else {
    input = source;
  }
  const current = await importSigningKey(input.current, input.algorithm);
  const store = new RotatingKeyStore(current, options.clock ?? systemClock);
  for (const p of input.previous ?? []) store.addPrevious(publicFrom(p.jwk, store.algorithm), p.until);
  if (input.next !== undefined) {
    const activatesAt = input.next_activates_at;
    const schedule = activatesAt === undefined ? undefined : { activatesAt, retireAfter: input.retire_after ?? 0 };
    store.addNext(await importSigningKey(input.next, store.algorithm), schedule);
  }
  return store;
}
