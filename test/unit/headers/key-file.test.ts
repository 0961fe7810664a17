import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock, epochSeconds } from '../../../src/core/index.js';
import { generateSigningKey, generateKeyStore, importKeyStore, keyStoreFromFiles, openKeyFile, rotateKeyFile } from '../../../src/headers/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'gatehouse-keyfile-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('key store with a scheduled activation', () => {
  it('switches to the next key at its time and keeps the former key published for retireAfter seconds', async () => {
    const clock = new ManualClock();
    const store = await generateKeyStore('ES256', { clock });
    const first = store.current();
    const next = await generateSigningKey('ES256');
    const at = epochSeconds(clock) + 600;
    store.addNext(next, { activatesAt: at, retireAfter: 360 });
    expect(store.current().kid).toBe(first.kid);
    expect(store.nextSchedule()).toEqual({ activatesAt: at, retireAfter: 360 });

    // The schedule survives persistence, so every instance switches at the same time.
    const copy = await importKeyStore(JSON.parse(JSON.stringify(store.toJSON())), { clock });
    clock.set(at * 1000 - 1);
    expect(copy.current().kid).toBe(first.kid);
    clock.set(at * 1000);
    for (const s of [store, copy]) {
      expect(s.current().kid).toBe(next.kid);
      expect(s.next()).toBeUndefined();
      expect(s.previous()).toEqual([{ jwk: first.publicJwk, until: at + 360 }]);
    }
    clock.set((at + 360) * 1000);
    expect(copy.publicJwks().keys.map((k) => k.kid)).toEqual([next.kid]);
  });

  it('refuses a schedule that is not in whole seconds', async () => {
    const store = await generateKeyStore('ES256');
    const next = await generateSigningKey('ES256');
    expect(() => {
      store.addNext(next, { activatesAt: 1.5, retireAfter: 1 });
    }).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });
});

describe('key file (durable assertion keys)', () => {
  it('is created at first open with mode 0600 (directories 0700) and reopened with the same keys', async () => {
    const file = path.join(tempDir(), 'state', 'keys.json');
    const created = await openKeyFile(file, { algorithm: 'EdDSA' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const again = await openKeyFile(file, { algorithm: 'EdDSA' });
    expect(again.current().kid).toBe(created.current().kid);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, algorithm: 'EdDSA', current: { d: expect.any(String) } });
  });

  it('two processes creating it at once end up with one key store', async () => {
    const file = path.join(tempDir(), 'keys.json');
    const [a, b] = await Promise.all([openKeyFile(file, { algorithm: 'ES256' }), openKeyFile(file, { algorithm: 'ES256' })]);
    expect(a.current().kid).toBe(b.current().kid);
  });

  it('refuses a file others can read, another algorithm, non-JSON, and a missing file when create is false', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys.json');
    await openKeyFile(file, { algorithm: 'ES256' });
    await expect(openKeyFile(file, { algorithm: 'RS256' })).rejects.toThrow(/holds ES256 keys but assertion.algorithm is RS256/);
    chmodSync(file, 0o640);
    await expect(openKeyFile(file, { algorithm: 'ES256' })).rejects.toThrow(/accessible by group or others \(mode 640\)/);
    const junk = path.join(dir, 'junk.json');
    writeFileSync(junk, 'not json', { mode: 0o600 });
    await expect(openKeyFile(junk, { algorithm: 'ES256' })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(/is not JSON/) });
    await expect(openKeyFile(path.join(dir, 'none.json'), { algorithm: 'ES256', create: false })).rejects.toThrow(/does not exist/);
  });

  it('rotates: next key published now, signing from now + publishFor; a second rotation waits for the first', async () => {
    const clock = new ManualClock();
    const file = path.join(tempDir(), 'keys.json');
    const before = await openKeyFile(file, { algorithm: 'ES256', clock });
    const r = await rotateKeyFile(file, { algorithm: 'ES256', clock, publishForSeconds: 900, retireAfterSeconds: 360 });
    expect(r).toMatchObject({ currentKid: before.current().kid, activatesAt: epochSeconds(clock) + 900, retiredUntil: epochSeconds(clock) + 1260 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const after = await openKeyFile(file, { algorithm: 'ES256', clock });
    expect(after.publicJwks().keys.map((k) => k.kid)).toEqual([r.currentKid, r.nextKid]);
    await expect(rotateKeyFile(file, { algorithm: 'ES256', clock, publishForSeconds: 0, retireAfterSeconds: 0 })).rejects.toThrow(/already in progress/);
    clock.advance(900_000);
    const second = await rotateKeyFile(file, { algorithm: 'ES256', clock, publishForSeconds: 0, retireAfterSeconds: 360 });
    expect(second.currentKid).toBe(r.nextKid);
    const now = await openKeyFile(file, { algorithm: 'ES256', clock });
    expect(now.current().kid).toBe(second.nextKid);
    expect(now.publicJwks().keys.map((k) => k.kid).sort()).toEqual([r.currentKid, r.nextKid, second.nextKid].sort());
  });

  it('builds a store from a PEM key you manage and publishes extra JWK files (kid from the thumbprint when absent)', async () => {
    const dir = tempDir();
    const current = generateKeyPairSync('ed25519');
    const former = generateKeyPairSync('ed25519');
    writeFileSync(path.join(dir, 'key.pem'), current.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(path.join(dir, 'old.jwk'), JSON.stringify(await exportJWK(former.privateKey)));
    const store = await keyStoreFromFiles(path.join(dir, 'key.pem'), [path.join(dir, 'old.jwk')], 'EdDSA');
    const keys = store.publicJwks().keys;
    expect(keys).toHaveLength(2);
    expect(keys[1]).not.toHaveProperty('d');
    expect(keys[1]!.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(keyStoreFromFiles(path.join(dir, 'key.pem'), [], 'ES256')).rejects.toThrow(/key\.pem: ES256 needs an EC P-256 key/);
    await expect(keyStoreFromFiles(path.join(dir, 'missing.pem'), [], 'EdDSA')).rejects.toThrow(/missing\.pem: cannot read \(ENOENT\)/);
  });
});
