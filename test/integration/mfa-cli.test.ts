/**
 * The operator commands, run as a process like an operator would (`tsx src/cli/main.ts`):
 * `gatehouse mfa list USER`, `gatehouse keys rotate-storage`, `gatehouse mfa reset USER`
 * against a SQLite factor store with a real enrolled factor.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger, systemClock, userKey } from '../../src/core/index.js';
import { generateTotp } from '../../src/mfa/index.js';
import { startMfa } from '../../src/main-mfa.js';
import { writeConfig } from '../helpers/gateway-harness.js';
import { mfaConfigYaml, testKey } from '../helpers/mfa-flow.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const ISSUER = 'http://127.0.0.1:9';
const SUB = 'b8f3a1c2-5d4e-4f6a-9b7c-0a1b2c3d4e5f';
const k1 = testKey();
let dir: string;
let configFile: string;
let secret: string;

function gatehouse(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return run(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args, '--config', configFile],
    {
      cwd: ROOT,
      env: { ...process.env, TEST_CLIENT_SECRET: 'x' },
    },
  ).then(
    (r) => ({ ...r, code: 0 }),
    (e: unknown) => {
      const f = e as { stdout: string; stderr: string; code: number };
      return { stdout: f.stdout, stderr: f.stderr, code: f.code };
    },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-mfa-cli-'));
  mkdirSync(path.join(dir, 'policies'));
  writeFileSync(path.join(dir, 'policies', 'routes.yaml'), 'routes: []\n');
  configFile = writeConfig(dir, {
    port: 0,
    issuer: ISSUER,
    store: 'memory',
    redisPrefix: 'x:',
    extra: mfaConfigYaml({ key: k1 }),
  });
  writeFileSync(
    configFile,
    readFileSync(configFile, 'utf8').replace(
      'logging: { level: silent }',
      'logging: { level: info }',
    ),
  );
  const loaded = await loadConfig(configFile, { env: { TEST_CLIENT_SECRET: 'x' } });
  if (!loaded.ok) throw new Error('config');
  const mfa = (await startMfa(loaded.config, {
    clock: systemClock,
    logger: silentLogger,
    pruneIntervalMs: 0,
  }))!;
  const key = userKey({ issuer: ISSUER, sub: SUB });
  const started = await mfa.service.beginEnrollment(key, 'alice@example.com');
  secret = started.secret;
  const code = await generateTotp(secret, { algorithm: 'sha1', digits: 6, period: 30 }, Date.now());
  expect((await mfa.service.confirmEnrollment(key, started.factorId, code, '127.0.0.1')).ok).toBe(
    true,
  );
  await mfa.close();
}, 30_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('gatehouse mfa / keys', () => {
  it("lists a user's factors without the secret", async () => {
    const r = await gatehouse('mfa', 'list', SUB);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/active\s+sha1\/6\/30s\s+k1/);
    expect(r.stdout).toContain('alice@example.com');
    expect(r.stdout).toContain('unused recovery codes: 10');
    expect(r.stdout + r.stderr).not.toContain(secret);
  }, 60_000);

  it('re-encrypts stored secrets under the new current key', async () => {
    writeFileSync(
      configFile,
      readFileSync(configFile, 'utf8').replace(
        `k1: "${k1}" }\n  current_key_id: k1`,
        `k1: "${k1}", k2: "${testKey()}" }\n  current_key_id: k2`,
      ),
    );
    const r = await gatehouse('keys', 'rotate-storage');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('re-encrypted 1 MFA secret(s) under key "k2"');
    expect(r.stdout).toContain('k2: 1 row(s)');
    expect(r.stderr).toContain('"event":"mfa.storage_rotated"');
    const again = await gatehouse('keys', 'rotate-storage');
    expect(again.stdout).toContain('re-encrypted 0 MFA secret(s)');
  }, 60_000);

  it('resets a user with an audit event, after which list finds nothing', async () => {
    const r = await gatehouse('mfa', 'reset', SUB);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed 1 MFA factor(s)');
    const audit = r.stderr.split('\n').find((l) => l.includes('"event":"mfa.reset"'));
    expect(audit).toBeDefined();
    expect(JSON.parse(audit!)).toMatchObject({
      event: 'mfa.reset',
      count: 1,
      userKey: userKey({ issuer: ISSUER, sub: SUB }),
    });
    expect(r.stderr).not.toContain(secret);
    const list = await gatehouse('mfa', 'list', SUB);
    expect(list.code).toBe(1);
    expect(list.stdout).toContain('no MFA factors');
  }, 60_000);
});
