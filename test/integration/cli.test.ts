/**
 * The `gatehouse` command as operators use it: `check` and `start` on broken configuration
 * (one clear line with file, line and key; exit 1; no stack trace), `explain` exit codes, and
 * `sessions list/revoke` against a running deployment's Redis store.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DEFAULT_DEV_USERS } from '../../src/demo/index.js';
import { CLIENT_SECRET, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';
import { runCli } from '../helpers/cli.js';

const VALID_MAIN = `public_url: http://127.0.0.1:8080
identity_providers:
  - id: corp
    issuer: http://127.0.0.1:9
    client_id: gatehouse
    client_secret: x
policies_dir: policies
`;

function configDir(main: string, policies: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-cli-'));
  mkdirSync(path.join(dir, 'policies'));
  writeFileSync(path.join(dir, 'gatehouse.yaml'), main);
  for (const [name, text] of Object.entries(policies)) writeFileSync(path.join(dir, 'policies', name), text);
  return path.join(dir, 'gatehouse.yaml');
}

describe('gatehouse check and start on bad configuration', () => {
  it('check: a malformed YAML policy file gives one clear line with file and line, exit 1', async () => {
    const config = configDir(VALID_MAIN, {
      'apps.yaml': 'routes:\n  - id: app\n    upstream: http://127.0.0.1:1\n    policy: [unclosed\n',
    });
    const res = await runCli(['check', '--config', config]);
    expect(res.code).toBe(1);
    const problemLines = res.stdout.split('\n').filter((l) => l.includes('apps.yaml'));
    expect(problemLines).toHaveLength(1);
    expect(problemLines[0]).toMatch(/apps\.yaml:\d+:\d+ /);
    expect(res.stdout + res.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('check: an unknown key and a bad URL name file, line, column and key path', async () => {
    const config = configDir(VALID_MAIN, {
      'apps.yaml': 'routes:\n  - id: app\n    upstrem: http://x\n    policy: public\n  - id: b\n    upstream: localhost:9000\n    policy: public\n',
    });
    const res = await runCli(['check', '--config', config]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/apps\.yaml:3:5 routes\[0\]: unknown key "upstrem" \(did you mean "upstream"\?\)/);
    expect(res.stdout).toMatch(/apps\.yaml:6:15 routes\[1\]\.upstream: /);
  });

  it('check: a valid configuration exits 0 and reports warnings', async () => {
    const config = configDir(VALID_MAIN, {
      'apps.yaml': 'routes:\n  - id: all\n    upstream: http://127.0.0.1:1\n    policy: public\n  - id: admin\n    match: { path: /admin }\n    upstream: http://127.0.0.1:1\n    policy: authenticated\n',
    });
    const res = await runCli(['check', '--config', config]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/warning: .*admin/); // shadowed by the catch-all before it
  });

  it('start: refuses an invalid configuration with exit 1 and no stack trace', async () => {
    const config = configDir(`${VALID_MAIN}session: { idle_timeout: soon }\n`, {});
    const res = await runCli(['start', '--config', config]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/gatehouse\.yaml:\d+:\d+ session\.idle_timeout: /);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('explain: exit 0 for allow and 2 for deny', async () => {
    const config = configDir(VALID_MAIN, {
      'apps.yaml': 'routes:\n  - id: admin\n    match: { path: /admin }\n    upstream: http://127.0.0.1:1\n    policy: { groups: [admins] }\n',
    });
    const allow = await runCli(['explain', '--config', config, '--user', 'a', '--group', 'admins', 'GET', 'http://127.0.0.1:8080/admin/x']);
    expect(allow.code).toBe(0);
    expect(allow.stdout).toMatch(/decision: +allow/);
    const deny = await runCli(['explain', '--config', config, '--user', 'b', '--group', 'sales', 'GET', 'http://127.0.0.1:8080/%61dmin/x']);
    expect(deny.code).toBe(2);
    expect(deny.stdout).toMatch(/canonical: GET http:\/\/127\.0\.0\.1:8080\/admin\/x/);
    expect(deny.stdout).toMatch(/decision: +deny/);
  });
});

describe('gatehouse sessions against a running deployment (Redis)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'redis' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('lists a user’s sessions and revokes them; a revoked session is refused on its next request', async () => {
    const alice = DEFAULT_DEV_USERS.find((u) => u.username === 'alice')!;
    const cookie = (await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland')).jar.header(new URL(h.url))!;
    const env = { TEST_CLIENT_SECRET: CLIENT_SECRET };
    const list = await runCli(['sessions', 'list', alice.sub, '--config', h.configFile], env);
    expect(list.code).toBe(0);
    const handle = /^([0-9a-f]{16,})\s/m.exec(list.stdout)?.[1];
    expect(handle).toBeDefined();
    expect(list.stdout).not.toContain(cookie.split('=')[1]!);

    const before = await request(`${h.url}/app/`, { headers: { cookie, accept: 'application/json' } });
    expect(before.statusCode).toBe(200);
    await before.body.dump();

    const revoke = await runCli(['sessions', 'revoke', handle!, '--config', h.configFile], env);
    expect(revoke.code).toBe(0);
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      const after = await request(`${h.url}/app/`, { headers: { cookie, accept: 'application/json' } });
      status = after.statusCode;
      await after.body.dump();
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });
});
