/**
 * Configuration guards of MFA: a route demanding MFA needs `mfa:` (or a trusted IdP); MFA
 * refuses to start without a usable key, or when stored secrets use a key id no longer
 * configured; adding `mfa:` needs a restart.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatProblem, loadConfig } from '../../src/config/index.js';
import { silentLogger, systemClock } from '../../src/core/index.js';
import { ConfigInvalidError, startGateway } from '../../src/main.js';
import { startMfa } from '../../src/main-mfa.js';
import { writeConfig } from '../helpers/gateway-harness.js';
import { mfaConfigYaml, testKey } from '../helpers/mfa-flow.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(routes: string, extra = '', idpExtra?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-mfa-cfg-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'policies'));
  writeFileSync(path.join(dir, 'policies', 'routes.yaml'), routes);
  return writeConfig(dir, {
    port: 0,
    issuer: 'http://127.0.0.1:9',
    store: 'memory',
    redisPrefix: 'unused:',
    extra,
    ...(idpExtra === undefined ? {} : { idpExtra }),
  });
}

const env = { TEST_CLIENT_SECRET: 'x' };

const MFA_ROUTES = `routes:
  - id: admin
    match: { path: /admin }
    upstream: http://127.0.0.1:9
    policy: authenticated
    mfa: { required: true, max_age: 15m }
  - id: ops
    match: { path: /ops }
    upstream: http://127.0.0.1:9
    policy: ops
  - id: lenient
    match: { path: /lenient }
    upstream: http://127.0.0.1:9
    policy: authenticated
    mfa: { required: false }
policies:
  ops:
    allow:
      - group: ops
        mfa: required
`;

async function problems(configFile: string): Promise<string[]> {
  const r = await loadConfig(configFile, { env });
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('MFA configuration', () => {
  it('refuses routes that demand MFA when mfa: is not configured, naming each route', async () => {
    const file = setup(MFA_ROUTES);
    const out = await problems(file);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(
      /routes\.yaml:\d+:\d+ routes\[0\]\.mfa: requires MFA, but the gateway has no mfa: section and identity provider "test" has no trust_idp_mfa/,
    );
    expect(out[1]).toMatch(/routes\[1\]\.policy: requires MFA/);
    await expect(
      startGateway({ configFile: file, env, logger: silentLogger, port: 0, watch: false }),
    ).rejects.toBeInstanceOf(ConfigInvalidError);
  });

  it('accepts them with an mfa: section, or when the identity provider is trusted for MFA', async () => {
    expect(await problems(setup(MFA_ROUTES, mfaConfigYaml()))).toEqual([]);
    expect(
      await problems(setup(MFA_ROUTES, '', 'trust_idp_mfa: { acr: [urn:example:mfa] }')),
    ).toEqual([]);
    const r = await loadConfig(setup('routes: []\n', '', 'trust_idp_mfa: true'), { env });
    expect(r.ok && r.config.identity_providers[0]?.trust_idp_mfa).toEqual({
      amr: ['mfa', 'otp', 'hwk', 'swk'],
      acr: [],
    });
  });

  it('refuses to start MFA without a usable key, naming the key but not echoing it', async () => {
    const missing = await problems(setup('routes: []\n', 'mfa:\n  current_key_id: k1\n'));
    expect(missing.join('\n')).toMatch(/mfa\.encryption_keys: required key is missing/);
    const short = Buffer.alloc(16, 7).toString('base64');
    const bad = await problems(
      setup('routes: []\n', `mfa:\n  encryption_keys: { k1: "${short}" }\n  current_key_id: k1\n`),
    );
    expect(bad.join('\n')).toMatch(/mfa\.encryption_keys\.k1: .*32 bytes/);
    expect(bad.join('\n')).not.toContain(short);
    const fromFile = await problems(
      setup(
        'routes: []\n',
        'mfa:\n  encryption_keys: { k1: "${file:/nonexistent/gatehouse-key}" }\n  current_key_id: k1\n',
      ),
    );
    expect(fromFile.join('\n')).toMatch(/mfa\.encryption_keys\.k1: secret file not found/);
  });

  it('refuses to start when stored secrets use a key id that is not configured', async () => {
    const k1 = testKey();
    const file = setup('routes: []\n', mfaConfigYaml({ key: k1 }));
    const loaded = await loadConfig(file, { env });
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const mfa = (await startMfa(loaded.config, {
      clock: systemClock,
      logger: silentLogger,
      pruneIntervalMs: 0,
    }))!;
    await mfa.service.beginEnrollment('user|1', 'user@example.com');
    await mfa.close();

    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        `k1: "${k1}" }\n  current_key_id: k1`,
        `k2: "${testKey()}" }\n  current_key_id: k2`,
      ),
    );
    const err = await startGateway({
      configFile: file,
      env,
      logger: silentLogger,
      port: 0,
      watch: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect((err as Error).message).toContain('"k1" (1 rows)');
  });

  it('rejects a reload that adds the mfa: section (needs a restart) and keeps running', async () => {
    const file = setup('routes: []\n');
    const gw = await startGateway({
      configFile: file,
      env,
      logger: silentLogger,
      port: 0,
      watch: false,
    });
    try {
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n${mfaConfigYaml()}`);
      const r = await gw.reload();
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : formatProblem(r.problems[0]!)).toContain(
        'adding the mfa: section needs a restart',
      );
      expect(gw.config().mfa).toBeUndefined();
    } finally {
      await gw.close();
    }
  });
});
