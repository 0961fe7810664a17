/**
 * Header mapping for legacy apps, through the whole gateway: templates from claims, Basic auth
 * from a claim and a secret, passing the ID or access token, set/remove headers, stripping
 * cookies by name, and templates validated at load.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { decodeJwt } from 'jose';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { CLIENT_ID, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { HttpSession, loginThroughIdp } from '../helpers/login-flow.js';
import { parseEcho, type EchoResponse } from '../helpers/echo-upstream.js';

const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;

const routes = `routes:
  - id: legacy
    match: { path: /legacy }
    upstream: {{UPSTREAM}}
    policy: authenticated
    headers:
      X-Remote-User: "{{ preferred_username }}"
      X-Remote-Groups: "{{ groups }}"
      X-Dept: "{{ claims.department }}"
      X-Greeting: "hello {{ name }} ({{ email }})"
    set_headers:
      X-App-Mode: internal
    remove_headers: [X-Debug, x_legacy_token]
    strip_cookies: [legacy_sso]
  - id: basic
    match: { path: /basic }
    upstream: {{UPSTREAM}}
    policy: authenticated
    basic_auth:
      user: "{{ preferred_username }}"
      password: "s3cret:with:colons"
  - id: idtoken
    match: { path: /idtoken }
    upstream: {{UPSTREAM}}
    policy: authenticated
    pass_id_token: true
  - id: atoken
    match: { path: /atoken }
    upstream: {{UPSTREAM}}
    policy: authenticated
    pass_access_token: true
  - id: home
    match: { path: / }
    upstream: {{UPSTREAM}}
    policy: public
    set_headers:
      X-Served-By: gatehouse
`;

let h: Harness;
let session: HttpSession;

beforeAll(async () => {
  h = await startHarness({ routes });
  session = (await loginThroughIdp(`${h.url}/legacy/`, 'alice', 'wonderland')).session;
});
afterAll(async () => {
  await h.close();
});

async function echo(path: string, headers: Record<string, string> = {}): Promise<EchoResponse> {
  const res = await session.send(`${h.url}${path}`, { headers });
  expect(res.status).toBe(200);
  return parseEcho(res.body);
}

describe('header mapping for legacy apps', () => {
  it('renders templates from claims; a missing claim gives an empty header, never the template text', async () => {
    const e = await echo('/legacy/', { 'X-Remote-User': 'mallory', x_remote_user: 'mallory', 'X-Debug': '1', 'X-Legacy-Token': 't' });
    expect(e.headers['x-remote-user']).toBe('alice');
    expect(e.headers.x_remote_user).toBeUndefined();
    expect(e.headers['x-remote-groups']).toBe('engineering,admins');
    expect(e.headers['x-dept']).toBe('');
    expect(e.headers['x-greeting']).toBe(`hello ${alice.name} (${alice.email})`);
    expect(e.headers['x-app-mode']).toBe('internal');
    expect(e.headers['x-debug']).toBeUndefined();
    expect(e.headers['x-legacy-token']).toBeUndefined();
    expect(JSON.stringify(e.headers)).not.toContain('{{');
    // Identity headers and the assertion are still there.
    expect(e.headers['x-forwarded-user']).toBe(alice.sub);
    expect(e.headers['x-gatehouse-assertion']).toEqual(expect.any(String));
  });

  it('strips the named cookies and keeps the others byte for byte', async () => {
    session.jar.store(new URL(h.url), ['legacy_sso=abc; Path=/', 'theme=dark; Path=/', 'LEGACY_SSO=upper; Path=/']);
    const e = await echo('/legacy/');
    // (The IdP's own cookies share the host 127.0.0.1 in this test and pass through.)
    expect(e.headers.cookie).toMatch(/(^|; )theme=dark($|;)/);
    expect(e.headers.cookie).not.toMatch(/legacy_sso/i);
    const other = await echo('/basic/');
    expect(other.headers.cookie).toContain('legacy_sso=abc');
  });

  it('sends Authorization: Basic with the user from a claim and the configured secret, replacing the client one', async () => {
    const e = await echo('/basic/', { authorization: 'Basic bWFsbG9yeTpwdw==' });
    expect(e.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cret:with:colons').toString('base64')}`);
  });

  it('passes the ID token or the access token as Authorization: Bearer only where the route opts in', async () => {
    const id = await echo('/idtoken/');
    const idToken = /^Bearer (.+)$/.exec(id.headers.authorization ?? '')?.[1];
    expect(decodeJwt(idToken!)).toMatchObject({ sub: alice.sub, aud: CLIENT_ID });
    const at = await echo('/atoken/');
    expect(at.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(at.headers.authorization).not.toBe(id.headers.authorization);
    expect((await echo('/legacy/')).headers.authorization).toBeUndefined();
  });

  it('applies set_headers to anonymous requests but never templates, and strips template headers clients send', async () => {
    const res = await request(`${h.url}/`, { headers: { 'x-remote-user': 'mallory', 'X-Greeting': 'hi', accept: 'application/json' } });
    const e = parseEcho(await res.body.text());
    expect(e.headers['x-served-by']).toBe('gatehouse');
    expect(e.headers['x-remote-user']).toBeUndefined();
    expect(e.headers['x-greeting']).toBeUndefined();
  });

  it('validates templates at load: a broken template is refused with the route and key named', async () => {
    writeFileSync(
      h.policyFile,
      `routes:
  - id: broken
    match: { path: / }
    upstream: http://127.0.0.1:9
    policy: authenticated
    headers:
      X-Remote-User: "{{ preferred_username }"
  - id: both
    match: { path: /both }
    upstream: http://127.0.0.1:9
    policy: authenticated
    basic_auth: { user: "{{ user }}", password: x }
    pass_id_token: true
`,
    );
    const result = await h.gateway.reload();
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).toMatch(/routes\[0\]\.headers: header template "X-Remote-User": unclosed "\{\{"/);
    expect(text).toMatch(/routes\[1\]\.basic_auth: use only one of basic_auth, pass_access_token, pass_id_token/);
    // The running configuration stays.
    expect((await echo('/legacy/')).headers['x-remote-user']).toBe('alice');
  });
});
