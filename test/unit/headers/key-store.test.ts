import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock, epochSeconds } from '../../../src/core/index.js';
import {
  generateKeyStore,
  generateSigningKey,
  importKeyStore,
  importSigningKey,
  type AssertionAlgorithm,
} from '../../../src/headers/index.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function expectPublicOnly(keys: JWK[]): void {
  for (const k of keys) {
    for (const m of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(m);
    expect(typeof k.kid).toBe('string');
    expect(k.use).toBe('sig');
  }
}

describe('key store', () => {
  it.each<AssertionAlgorithm>(['ES256', 'RS256', 'EdDSA'])('%s: publishes public parts only, with kid and alg', async (alg) => {
    const store = await generateKeyStore(alg);
    const { keys } = store.publicJwks();
    expect(keys).toHaveLength(1);
    expectPublicOnly(keys);
    expect(keys[0]!.alg).toBe(alg);
    expect(keys[0]!.kid).toBe(store.current().kid);
    // The key object itself serialises without material.
    expect(JSON.stringify(store.current().privateKey)).toBe('{}');
  });

  it('rotates without a gap: next is published before use, the former key until retired', async () => {
    const clock = new ManualClock();
    const store = await generateKeyStore('ES256', { clock });
    const first = store.current();
    const second = await generateSigningKey('ES256');

    store.addNext(second);
    expect(store.current().kid).toBe(first.kid);
    expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([first.kid, second.kid]);

    expect(store.promoteNext().kid).toBe(first.kid);
    expect(store.current().kid).toBe(second.kid);
    // Former key still published (assertions it signed are valid), with no deadline yet.
    clock.advance(3600_000);
    expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);

    const until = epochSeconds(clock) + 300;
    store.retire(first.kid, until);
    clock.set((until - 1) * 1000);
    expect(store.publicJwks().keys.map((k) => k.kid)).toContain(first.kid);
    clock.set(until * 1000);
    expect(store.publicJwks().keys.map((k) => k.kid)).toEqual([second.kid]);
    expectPublicOnly(store.publicJwks().keys);
  });

  it('refuses misuse of the rotation primitives with ERR_CONFIG_INVALID', async () => {
    const store = await generateKeyStore('EdDSA');
    const invalid = expect.objectContaining({ code: 'ERR_CONFIG_INVALID' });
    expect(() => store.promoteNext()).toThrow(invalid);
    expect(() => {
      store.retire(store.current().kid, 0);
    }).toThrow(invalid);
    expect(() => {
      store.retire('nope', 0);
    }).toThrow(invalid);
    expect(() => {
      store.addNext(store.current());
    }).toThrow(invalid);
    const other = await generateSigningKey('ES256');
    expect(() => {
      store.addNext(other);
    }).toThrow(invalid);
  });

  it('round-trips through toJSON (the secret form) and keeps signing with the same key', async () => {
    const clock = new ManualClock();
    const store = await generateKeyStore('ES256', { clock });
    store.addNext(await generateSigningKey('ES256'));
    const json = JSON.stringify(store);
    const parsed = JSON.parse(json) as { current: JWK; next: JWK; previous: unknown[] };
    expect(parsed.current.d).toBeTypeOf('string'); // documented as secret
    expect(parsed.next.d).toBeTypeOf('string');

    const again = await importKeyStore(json, { clock });
    expect(again.current().kid).toBe(store.current().kid);
    expect(again.next()?.kid).toBe(store.next()?.kid);
    again.promoteNext();
    again.retire(store.current().kid, epochSeconds(clock) + 60);
    const third = await importKeyStore(again.toJSON(), { clock });
    expect(third.publicJwks()).toEqual(again.publicJwks());
    expectPublicOnly(third.publicJwks().keys);
  });

  it('imports PEM (algorithm inferred) and JWK strings, keeping a JWK kid', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = await importKeyStore(pem);
    expect(fromPem.algorithm).toBe('EdDSA');

    const jwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'key-2026-01' };
    const fromJwk = await importSigningKey(JSON.stringify(jwk));
    expect(fromJwk.kid).toBe('key-2026-01');
    expect(fromJwk.kid).not.toBe(fromPem.current().kid);
  });

  it.each([
    ['not a key', 'hello'],
    ['a public key only', JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }))],
    ['RSA below 2048 bits', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
    ['P-384 for ES256', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()],
  ])('rejects %s with ERR_CONFIG_INVALID', async (_what, source) => {
    await expect(importSigningKey(source, 'ES256')).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });

  it('rejects a JWK whose public part does not belong to its private part', async () => {
    const a = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    await expect(importSigningKey({ ...a, x: b.x, y: b.y } as JWK)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });

  it('keys sign tokens that verify against the published JWKS', async () => {
    const store = await generateKeyStore('RS256');
    const key = store.current();
    const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
    await expect(jwtVerify(token, createLocalJWKSet(store.publicJwks()))).resolves.toBeDefined();
  });
});
