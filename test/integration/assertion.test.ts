/**
 * The signed identity assertion through the whole gateway: what the echo upstream receives,
 * verified the way an app would (only the published JWKS URL), the signing cache, key rotation
 * with a durable key file, forged assertions, and the runnable example script.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  SignJWT,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import { ManualClock } from '../../src/core/index.js';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { rotateAssertionKeys } from '../../src/main.js';
import { CLIENT_SECRET, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { HttpSession, loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho } from '../helpers/echo-upstream.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;

const routes = `routes:
  - id: app
    match: { path: /app }
    upstream: {{UPSTREAM}}
    policy: authenticated
  - id: wiki
    match: { path: /wiki }
    upstream: {{UPSTREAM}}
    audience: urn:example:wiki
    policy: authenticated
  - id: home
    match: { path: / }
    upstream: {{UPSTREAM}}
    policy: public
roles:
  operator:
    - group: admins
`;

const clock = new ManualClock(Date.now());
let h: Harness;
let aliceSession: HttpSession;

beforeAll(async () => {
  h = await startHarness({
    routes,
    clock,
    accessTokenTtl: 7200,
    extraConfig: 'assertion:\n  key_file: keys/assertion-keys.json\n',
  });
  const login = await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland');
  expect(login.response.status).toBe(200);
  aliceSession = login.session;
});
afterAll(async () => {
  await h.close();
});

async function assertionFor(path: string, session = aliceSession): Promise<string> {
  const res = await session.send(`${h.url}${path}`);
  expect(res.status).toBe(200);
  const value = parseEcho(res.body).headers['x-gatehouse-assertion'];
  expect(typeof value).toBe('string');
  return value as string;
}

async function jwks(host?: string): Promise<JSONWebKeySet> {
  const res = await request(`${h.url}/.well-known/gatehouse/jwks.json`, host === undefined ? {} : { headers: { host } });
  expect(res.statusCode).toBe(200);
  return (await res.body.json()) as JSONWebKeySet;
}

describe('identity assertion', () => {
  it('carries the identity to the upstream as a JWT that verifies with the published JWKS only', async () => {
    const assertion = await assertionFor('/app/page');
    const { payload, protectedHeader } = await jwtVerify(assertion, createRemoteJWKSet(new URL(`${h.url}/.well-known/gatehouse/jwks.json`)), {
      issuer: h.url,
      audience: h.url,
      currentDate: new Date(clock.now()),
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: h.url,
      aud: h.url,
      sub: alice.sub,
      email: alice.email,
      name: alice.name,
      preferred_username: 'alice',
      groups: ['engineering', 'admins'],
      roles: ['operator'],
      amr: ['pwd'],
      sid: expect.any(String),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(typeof payload.auth_time).toBe('number');
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('serves the JWKS on every host the gateway answers, before route matching, with kid on every key', async () => {
    for (const host of [undefined, 'unrouted.example.test', 'app.example.test:8443']) {
      const set = await jwks(host);
      expect(set.keys.length).toBeGreaterThan(0);
      for (const k of set.keys) {
        expect(k).toMatchObject({ kid: expect.any(String), alg: 'ES256', use: 'sig', kty: 'EC' });
        expect(k).not.toHaveProperty('d');
      }
    }
    const res = await request(`${h.url}/.well-known/gatehouse/jwks.json`);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    await res.body.dump();
  });

  it('uses the route audience when set, else the external origin of the request', async () => {
    expect(decodeJwt(await assertionFor('/wiki/')).aud).toBe('urn:example:wiki');
    expect(decodeJwt(await assertionFor('/app/')).aud).toBe(h.url);
  });

  it('signs once per session and route: the same assertion until shortly before expiry', async () => {
    const session = (await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland')).session;
    const first = await assertionFor('/app/a', session);
    expect(await assertionFor('/app/b', session)).toBe(first);
    expect(await assertionFor('/app/b', aliceSession)).not.toBe(first); // another session
    const start = clock.now();
    try {
      clock.advance(239_000);
      expect(await assertionFor('/app/c', session)).toBe(first);
      clock.advance(2_000); // 60 s before exp
      const renewed = await assertionFor('/app/d', session);
      expect(renewed).not.toBe(first);
      expect(decodeJwt(renewed).jti).not.toBe(decodeJwt(first).jti);
    } finally {
      clock.set(start);
    }
  });

  it('never passes a client-sent assertion on, with or without a session', async () => {
    const forged = { 'X-Gatehouse-Assertion': 'forged', x_gatehouse_assertion: 'forged', accept: 'application/json' };
    const anon = parseEcho(await (await request(`${h.url}/`, { headers: forged })).body.text());
    expect(Object.keys(anon.headers).filter((n) => /gatehouse/i.test(n))).toEqual([]);
    const res = await aliceSession.send(`${h.url}/app/`, { headers: forged });
    const echo = parseEcho(res.body);
    expect(echo.headers.x_gatehouse_assertion).toBeUndefined();
    expect(echo.headers['x-gatehouse-assertion']).not.toBe('forged');
    expect(decodeJwt(echo.headers['x-gatehouse-assertion'] as string).sub).toBe(alice.sub);
  });

  it('rejects a forged assertion: another key under the real kid, or an unknown kid', async () => {
    const real = await assertionFor('/app/');
    const { kid } = decodeProtectedHeader(real);
    const mallory = await generateKeyPair('ES256');
    const claims = { ...decodeJwt(real), sub: 'mallory', groups: ['admins'] };
    const keys = createLocalJWKSet(await jwks());
    for (const forgedKid of [kid, 'mallory-key']) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: forgedKid!, typ: 'JWT' }).sign(mallory.privateKey);
      await expect(jwtVerify(forged, keys, { issuer: h.url, audience: h.url, currentDate: new Date(clock.now()) })).rejects.toMatchObject({
        code: forgedKid === kid ? 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' : 'ERR_JWKS_NO_MATCHING_KEY',
      });
    }
    // The published key is Mallory's only if she could change the JWKS: it is not hers.
    const published = (await jwks()).keys.find((k) => k.kid === kid)!;
    expect(published.x).not.toBe((await exportJWK(mallory.publicKey)).x);
  });

  it('the example script verifies a real assertion with only the JWKS URL and refuses a tampered one', async () => {
    const assertion = await assertionFor('/app/');
    const args = ['examples/verify-assertion.mjs', '--jwks', `${h.url}/.well-known/gatehouse/jwks.json`, '--issuer', h.url, '--audience', h.url];
    const ok = await run(process.execPath, [...args, assertion], { cwd: ROOT });
    expect(JSON.parse(ok.stdout)).toMatchObject({ sub: alice.sub, email: alice.email, iss: h.url });
    const [head, body, sig] = assertion.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...decodeJwt(assertion), groups: ['root'] })).toString('base64url')}.${sig}`;
    await expect(run(process.execPath, [...args, tampered], { cwd: ROOT })).rejects.toMatchObject({ code: 1 });
    await expect(run(process.execPath, [...args.slice(0, -1), 'https://other-app.example', assertion], { cwd: ROOT })).rejects.toMatchObject({ code: 1 });
    expect(body).toBeDefined();
  });

  it('keeps keys in key_file (created 0600 at first start): a restart signs with the same key', async () => {
    const file = path.join(h.dir, 'keys', 'assertion-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = await jwks();
    await h.restart();
    expect(await jwks()).toEqual(before);
  });
});

describe('assertion key rotation (gatehouse keys rotate)', () => {
  it('publishes the next key first, signs with it at the scheduled time, and drops the old key after its assertions expired', async () => {
    const env = { TEST_CLIENT_SECRET: CLIENT_SECRET };
    const start = clock.now();
    try {
      const session = (await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland')).session;
      const oldKid = (await jwks()).keys[0]!.kid!;
      const r = await rotateAssertionKeys(h.configFile, { publishForSeconds: 600, env, clock });
      expect(r.currentKid).toBe(oldKid);
      await expect(rotateAssertionKeys(h.configFile, { publishForSeconds: 600, env, clock })).rejects.toThrow(/already in progress/);

      await h.gateway.reload(); // what SIGHUP or the file watch does
      expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([oldKid, r.nextKid].sort());
      expect(decodeProtectedHeader(await assertionFor('/app/', session)).kid).toBe(oldKid);
      clock.set(r.activatesAt * 1000 - 10_000);
      const beforeSwitch = await assertionFor('/app/', session);
      expect(decodeProtectedHeader(beforeSwitch).kid).toBe(oldKid);

      clock.set(r.activatesAt * 1000);
      const afterSwitch = await assertionFor('/app/', session);
      expect(decodeProtectedHeader(afterSwitch).kid).toBe(r.nextKid);
      // An assertion the old key signed just before the switch still verifies.
      const set = createLocalJWKSet(await jwks());
      await jwtVerify(beforeSwitch, set, { issuer: h.url, audience: h.url, currentDate: new Date(clock.now()) });
      expect(r.retiredUntil).toBeGreaterThanOrEqual(decodeJwt(beforeSwitch).exp!);

      clock.set(r.retiredUntil * 1000 - 1000);
      expect((await jwks()).keys.map((k) => k.kid)).toContain(oldKid);
      clock.set(r.retiredUntil * 1000);
      expect((await jwks()).keys.map((k) => k.kid)).toEqual([r.nextKid]);

      await h.restart();
      expect((await jwks()).keys.map((k) => k.kid)).toEqual([r.nextKid]);
    } finally {
      clock.set(start);
    }
  });
});
