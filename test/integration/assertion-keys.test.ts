/**
 * Assertion keys operations: the `gatehouse keys` CLI on a key file, a running gateway picking
 * up a rotated key file by itself (file watch), and keys you manage (PEM + published JWK).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { request } from 'undici';
import { decodeJwt, decodeProtectedHeader, exportJWK, type JSONWebKeySet } from 'jose';
import { CLIENT_SECRET, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';
import { rotateAssertionKeys } from '../../src/main.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const harnesses: Harness[] = [];

afterAll(async () => {
  for (const h of harnesses) await h.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cli(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT });
}

async function jwks(h: Harness): Promise<JSONWebKeySet> {
  const res = await request(`${h.url}/.well-known/gatehouse/jwks.json`);
  return (await res.body.json()) as JSONWebKeySet;
}

describe('gatehouse keys', () => {
  it('list creates the key file (0600); rotate publishes a next key; a second rotate is refused while one is in progress', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-keys-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'policies'));
    writeFileSync(path.join(dir, 'policies', 'routes.yaml'), 'routes: []\n');
    const config = path.join(dir, 'gatehouse.yaml');
    writeFileSync(
      config,
      `public_url: https://gate.example.test
identity_providers:
  - { id: corp, issuer: https://login.example.test, client_id: gatehouse }
policies_dir: policies
assertion:
  algorithm: EdDSA
  key_file: state/keys.json
`,
    );
    const list = await cli(['keys', 'list', '-c', config]);
    expect(list.stdout).toMatch(/^EdDSA keys from state\/keys.json/m);
    expect(list.stdout).toMatch(/^current\s+\S+\s+signs now$/m);
    const file = path.join(dir, 'state', 'keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kid = (JSON.parse(readFileSync(file, 'utf8')) as { current: { kid: string } }).current.kid;

    const rotated = await cli(['keys', 'rotate', '-c', config, '--publish-for', '10m']);
    expect(rotated.stdout).toContain(`the current key ${kid} signs until then`);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { next: { kid: string; d: string }; next_activates_at: number; retire_after: number };
    expect(stored.next.d).toEqual(expect.any(String));
    expect(stored.next_activates_at - Date.now() / 1000).toBeGreaterThan(590);
    expect(stored.retire_after).toBe(300 + 60);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(rotated.stdout).not.toContain(stored.next.d); // no key material printed

    await expect(cli(['keys', 'rotate', '-c', config])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/already in progress/) });
    const after = await cli(['keys', 'list', '-c', config]);
    expect(after.stdout).toMatch(new RegExp(`^next\\s+${stored.next.kid}\\s+signs from `, 'm'));
  }, 60_000);

  it('refuses a key file others can read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-keys-'));
    dirs.push(dir);
    const h = await startHarness({ extraConfig: `assertion:\n  key_file: ${path.join(dir, 'keys.json')}\n` });
    harnesses.push(h);
    chmodSync(path.join(dir, 'keys.json'), 0o644);
    await expect(h.restart()).rejects.toThrow(/accessible by group or others/);
    chmodSync(path.join(dir, 'keys.json'), 0o600);
    await h.restart();
  });
});

describe('a running gateway and rotated keys', () => {
  it('picks up a rotated key file by itself (file watch) and publishes the next key', async () => {
    const h = await startHarness({ watch: true, extraConfig: 'assertion:\n  key_file: keys.json\n' });
    harnesses.push(h);
    expect((await jwks(h)).keys).toHaveLength(1);
    const r = await rotateAssertionKeys(h.configFile, { env: { TEST_CLIENT_SECRET: CLIENT_SECRET } });
    await vi.waitFor(async () => {
      expect((await jwks(h)).keys.map((k) => k.kid).sort()).toEqual([r.currentKid, r.nextKid].sort());
    }, { timeout: 5000, interval: 50 });
  });

  it('signs with a key you manage (PEM) and publishes the former key from publish_key_files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-keys-'));
    dirs.push(dir);
    const current = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const former = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path.join(dir, 'current.pem'), current.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(path.join(dir, 'former.jwk'), JSON.stringify({ ...(await exportJWK(former.publicKey)), kid: 'former-2025' }));
    const h = await startHarness({
      extraConfig: `assertion:\n  private_key_file: ${dir}/current.pem\n  publish_key_files: [${dir}/former.jwk]\n`,
    });
    harnesses.push(h);
    const kids = (await jwks(h)).keys.map((k) => k.kid);
    expect(kids).toHaveLength(2);
    expect(kids).toContain('former-2025');
    const login = await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland');
    const assertion = parseEcho(login.response.body).headers['x-gatehouse-assertion'] as string;
    expect(decodeProtectedHeader(assertion).kid).toBe(kids.find((k) => k !== 'former-2025'));
    expect(decodeJwt(assertion).iss).toBe(h.url);
  });

  it('with assertion.enabled false sends no assertion and serves no JWKS (and still strips client copies)', async () => {
    const h = await startHarness({ extraConfig: 'assertion:\n  enabled: false\n' });
    harnesses.push(h);
    const login = await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland');
    const res = await login.session.send(`${h.url}/app/`, { headers: { 'x-gatehouse-assertion': 'forged' } });
    const echo = parseEcho(res.body);
    expect(echo.headers['x-forwarded-user']).toEqual(expect.any(String));
    expect(echo.headers['x-gatehouse-assertion']).toBeUndefined();
    const jwksRes = await request(`${h.url}/.well-known/gatehouse/jwks.json`, { headers: { accept: 'application/json' } });
    expect(jwksRes.statusCode).toBe(404);
    await jwksRes.body.dump();
  });
});
