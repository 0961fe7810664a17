import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, epochSeconds } from '../../../src/core/index.js';
import {
  createAssertionSigner,
  generateKeyStore,
  generateSigningKey,
  type AssertionSigner,
  type KeyStore,
} from '../../../src/headers/index.js';
import { identity } from './identity-fixture.js';

const ISSUER = 'https://gatehouse.example.com';
const AUD = 'https://app.example.com';

let clock: ManualClock;
let keys: KeyStore;
let signer: AssertionSigner;

beforeEach(async () => {
  clock = new ManualClock();
  keys = await generateKeyStore('ES256', { clock });
  signer = createAssertionSigner({ issuer: ISSUER, keys, clock, algorithm: 'ES256' });
});

function verify(token: string, store: KeyStore = keys, audience = AUD) {
  return jwtVerify(token, createLocalJWKSet(store.publicJwks()), {
    issuer: ISSUER,
    audience,
    currentDate: new Date(clock.now()),
  });
}

describe('assertion signer', () => {
  it('signs a JWT that verifies against the public JWKS with the right iss, aud, exp and claims', async () => {
    const token = await signer.sign({ identity: identity(), audience: AUD, sessionHandle: 'h-1' });
    const { payload, protectedHeader } = await verify(token);
    const now = epochSeconds(clock);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: keys.current().kid, typ: 'JWT' });
    expect(payload).toMatchObject({
      iss: ISSUER,
      aud: AUD,
      sub: 'user-123',
      idp: 'https://idp.example.com',
      email: 'alice@example.com',
      name: 'Alice Example',
      groups: ['staff', 'admins'],
      roles: ['editor'],
      amr: ['pwd', 'otp'],
      auth_time: 1_767_225_000,
      sid: 'h-1',
      iat: now,
      exp: now + 300,
    });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is rejected for another audience and after expiry', async () => {
    const token = await signer.sign({ identity: identity(), audience: AUD, sessionHandle: 'h-1' });
    await expect(verify(token, keys, 'https://other.example.com')).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    clock.advance(301_000);
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('reuses the token for the same session and audience until 60 s before expiry, then signs a new one', async () => {
    const id = identity();
    const first = await signer.sign({ identity: id, audience: AUD, sessionHandle: 'h-1' });
    clock.advance(239_000);
    expect(await signer.sign({ identity: id, audience: AUD, sessionHandle: 'h-1' })).toBe(first);
    // An equal identity rebuilt from the store (new object) still hits the cache.
    expect(await signer.sign({ identity: identity(), audience: AUD, sessionHandle: 'h-1' })).toBe(first);
    clock.advance(1_000); // exactly 60 s before exp
    const second = await signer.sign({ identity: id, audience: AUD, sessionHandle: 'h-1' });
    expect(second).not.toBe(first);
    await expect(verify(second)).resolves.toBeDefined();
  });

  it('does not share tokens across sessions or audiences, and concurrent calls share one signature', async () => {
    const id = identity();
    const [a, b] = await Promise.all([
      signer.sign({ identity: id, audience: AUD, sessionHandle: 'h-1' }),
      signer.sign({ identity: id, audience: AUD, sessionHandle: 'h-1' }),
    ]);
    expect(a).toBe(b);
    expect(await signer.sign({ identity: id, audience: AUD, sessionHandle: 'h-2' })).not.toBe(a);
    expect(await signer.sign({ identity: id, audience: 'https://b.example.com', sessionHandle: 'h-1' })).not.toBe(a);
  });

  it('signs anew when the identity changes within a session (e.g. step-up MFA adds an amr)', async () => {
    const before = await signer.sign({ identity: identity({ amr: ['pwd'] }), audience: AUD, sessionHandle: 'h-1' });
    const after = await signer.sign({ identity: identity({ amr: ['pwd', 'otp'] }), audience: AUD, sessionHandle: 'h-1' });
    expect(after).not.toBe(before);
    expect((await verify(after)).payload.amr).toEqual(['pwd', 'otp']);
  });

  it('a token signed by a foreign key fails verification', async () => {
    const foreignKeys = await generateKeyStore('ES256', { clock });
    const foreign = createAssertionSigner({ issuer: ISSUER, keys: foreignKeys, clock, algorithm: 'ES256' });
    const token = await foreign.sign({ identity: identity(), audience: AUD, sessionHandle: 'h-1' });
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    // Even when the forger reuses our kid, the signature does not verify.
    const { kid } = keys.current();
    const { SignJWT } = await import('jose');
    const forged = await new SignJWT({ sub: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(ISSUER)
      .setAudience(AUD)
      .setExpirationTime(epochSeconds(clock) + 60)
      .sign(foreignKeys.current().privateKey);
    await expect(verify(forged)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it('after rotation signs with the new key; old tokens verify until the retired key expires', async () => {
    const old = await signer.sign({ identity: identity(), audience: AUD, sessionHandle: 'h-1' });
    const oldKid = keys.current().kid;
    keys.addNext(await generateSigningKey('ES256'));
    keys.promoteNext();
    keys.retire(oldKid, epochSeconds(clock) + signer.ttlSeconds);

    const fresh = await signer.sign({ identity: identity(), audience: AUD, sessionHandle: 'h-1' });
    expect(fresh).not.toBe(old); // cache does not hand out the old key's token after promotion
    expect(decodeProtectedHeader(fresh).kid).toBe(keys.current().kid);
    await expect(verify(old)).resolves.toBeDefined();

    clock.advance((signer.ttlSeconds - 1) * 1000); // last second of the old token's life
    expect(keys.publicJwks().keys.map((k) => k.kid)).toContain(oldKid);
    await expect(verify(old)).resolves.toBeDefined();

    clock.advance(1000); // the old token has expired: its key is no longer published
    expect(keys.publicJwks().keys.map((k) => k.kid)).toEqual([keys.current().kid]);
    const later = await signer.sign({ identity: identity(), audience: AUD, sessionHandle: 'h-1' });
    await expect(verify(later)).resolves.toBeDefined();
  });

  it('bounds the cache: evicted entries are signed again', async () => {
    const small = createAssertionSigner({ issuer: ISSUER, keys, clock, algorithm: 'ES256', cacheSize: 2 });
    const id = identity();
    const first = await small.sign({ identity: id, audience: AUD, sessionHandle: 'h-1' });
    await small.sign({ identity: id, audience: AUD, sessionHandle: 'h-2' });
    await small.sign({ identity: id, audience: AUD, sessionHandle: 'h-3' });
    expect(await small.sign({ identity: id, audience: AUD, sessionHandle: 'h-1' })).not.toBe(first);
  });

  it('validates its options and inputs', async () => {
    const invalid = expect.objectContaining({ code: 'ERR_CONFIG_INVALID' });
    expect(() => createAssertionSigner({ issuer: ISSUER, keys, clock, algorithm: 'RS256' })).toThrow(invalid);
    expect(() => createAssertionSigner({ issuer: ISSUER, keys, clock, algorithm: 'ES256', ttlSeconds: 0 })).toThrow(invalid);
    expect(() => createAssertionSigner({ issuer: '', keys, clock, algorithm: 'ES256' })).toThrow(invalid);
    await expect(signer.sign({ identity: identity(), audience: '', sessionHandle: 'h' })).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
  });

  it.each(['RS256', 'EdDSA'] as const)('%s assertions verify too', async (alg) => {
    const store = await generateKeyStore(alg, { clock });
    const s = createAssertionSigner({ issuer: ISSUER, keys: store, clock, algorithm: alg, ttlSeconds: 60 });
    const token = await s.sign({ identity: identity(), audience: AUD, sessionHandle: 'h' });
    expect((await verify(token, store)).protectedHeader.alg).toBe(alg);
  });
});
