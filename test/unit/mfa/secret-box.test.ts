import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../../src/core/index.js';
import {
  createKeyring,
  createSecretBox,
  packSealed,
  parseEncryptionKey,
  unpackSealed,
} from '../../../src/mfa/secret-box.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('parseEncryptionKey', () => {
  it('accepts 32 bytes as hex, base64 and base64url', () => {
    expect(parseEncryptionKey(k1.toString('hex'), 'k')).toEqual(k1);
    expect(parseEncryptionKey(k1.toString('base64'), 'k')).toEqual(k1);
    expect(parseEncryptionKey(k1.toString('base64url'), 'k')).toEqual(k1);
    expect(parseEncryptionKey(`  ${k1.toString('base64')}\n`, 'k')).toEqual(k1);
  });

  it('refuses other lengths and non-key text with a message naming the key, not the value', () => {
    const short = randomBytes(16).toString('base64');
    const e1 = errorOf(() => parseEncryptionKey(short, 'mfa.encryption_keys.a'));
    expect(isGatewayError(e1, 'ERR_CONFIG_INVALID')).toBe(true);
    expect((e1 as Error).message).toContain('mfa.encryption_keys.a');
    expect((e1 as Error).message).toContain('16 bytes');
    expect((e1 as Error).message).not.toContain(short);
    expect(isGatewayError(errorOf(() => parseEncryptionKey('correct horse battery staple', 'k')), 'ERR_CONFIG_INVALID')).toBe(true);
    expect(isGatewayError(errorOf(() => parseEncryptionKey(randomBytes(33).toString('hex'), 'k')), 'ERR_CONFIG_INVALID')).toBe(true);
  });
});

describe('createKeyring', () => {
  it('requires at least one key and a current key id among them', () => {
    expect(isGatewayError(errorOf(() => createKeyring('a', {})), 'ERR_CONFIG_INVALID')).toBe(true);
    const e = errorOf(() => createKeyring('b', { a: k1.toString('hex') }));
    expect((e as Error).message).toContain('current_key_id');
    expect(isGatewayError(errorOf(() => createKeyring('a b', { 'a b': k1.toString('hex') })), 'ERR_CONFIG_INVALID')).toBe(true);
  });
});

describe('SecretBox', () => {
  const box = createSecretBox(createKeyring('k1', { k1: k1.toString('hex'), k2: k2.toString('hex') }));

  it('round-trips and names the current key', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DP', 'factor-1');
    expect(box.keyIdOf(sealed)).toBe('k1');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(box.open(sealed, 'factor-1')).toBe('JBSWY3DPEHPK3PXPJBSWY3DP');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('x', 'a')).not.toBe(box.seal('x', 'a'));
  });

  it('fails closed on a tampered ciphertext, tag or IV', () => {
    const p = unpackSealed(box.seal('secret-value', 'row'));
    const flip = (b: Buffer): Buffer => {
      const c = Buffer.from(b);
      c[0] = c[0]! ^ 1;
      return c;
    };
    for (const bad of [
      { ...p, ciphertext: flip(p.ciphertext) },
      { ...p, tag: flip(p.tag) },
      { ...p, iv: flip(p.iv) },
    ]) {
      expect(isGatewayError(errorOf(() => box.open(packSealed(bad), 'row')), 'ERR_INTERNAL')).toBe(true);
    }
  });

  it('fails closed when the value is moved to another row (AAD mismatch)', () => {
    const sealed = box.seal('secret-value', 'row-1');
    expect(isGatewayError(errorOf(() => box.open(sealed, 'row-2')), 'ERR_INTERNAL')).toBe(true);
  });

  it('fails closed with the wrong key under the same id', () => {
    const sealed = box.seal('secret-value', 'row');
    const other = createSecretBox(createKeyring('k1', { k1: randomBytes(32).toString('hex') }));
    expect(isGatewayError(errorOf(() => other.open(sealed, 'row')), 'ERR_INTERNAL')).toBe(true);
  });

  it('refuses a relabelled key id (the id is authenticated)', () => {
    const p = unpackSealed(box.seal('secret-value', 'row'));
    expect(isGatewayError(errorOf(() => box.open(packSealed({ ...p, keyId: 'k2' }), 'row')), 'ERR_INTERNAL')).toBe(true);
  });

  it('says which key id is missing when a row names an unknown key', () => {
    const sealed = box.seal('secret-value', 'row');
    const other = createSecretBox(createKeyring('k2', { k2: k2.toString('hex') }));
    const e = errorOf(() => other.open(sealed, 'row'));
    expect(isGatewayError(e, 'ERR_CONFIG_INVALID')).toBe(true);
    expect((e as Error).message).toContain('"k1"');
  });

  it('refuses malformed sealed strings', () => {
    for (const bad of ['', 'v1.k1.a.b', 'v2.k1.a.b.c', 'v1.k 1.a.b.c']) {
      expect(isGatewayError(errorOf(() => box.open(bad, 'row')), 'ERR_INTERNAL')).toBe(true);
    }
  });
});
