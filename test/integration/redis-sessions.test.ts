/**
 * Sessions in a real Redis: a session survives a gateway restart, and two gateway processes on
 * one Redis share sessions — a login on one works on the other, a logout on one is refused on
 * the other (cache invalidated over Redis pub/sub).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { CLIENT_SECRET, freePort, startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';

async function status(url: string, cookie: string): Promise<number> {
  const res = await request(url, { headers: { cookie, accept: 'application/json' } });
  await res.body.dump();
  return res.statusCode;
}

describe('Redis session store through the gateway', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'redis' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('keeps a session across a gateway restart', async () => {
    const login = await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland');
    const cookie = login.jar.header(new URL(h.url))!;
    expect(await status(`${h.url}/app/`, cookie)).toBe(200);
    await h.restart();
    expect(await status(`${h.url}/app/`, cookie)).toBe(200);
  });
});

/** Starts `gatehouse start` as a child process (TypeScript source through tsx). */
function startProcess(configFile: string): ChildProcess {
  const root = path.resolve(import.meta.dirname, '../..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'start', '--config', configFile], {
    cwd: root,
    env: { ...process.env, TEST_CLIENT_SECRET: CLIENT_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return child;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${stderr}`);
    try {
      const res = await request(`${url}/.gatehouse/healthz`);
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway at ${url} did not start: ${stderr}`);
}

describe('two gateway processes on one Redis', () => {
  let h: Harness;
  let second: ChildProcess;
  let secondUrl: string;

  beforeAll(async () => {
    // Instance A: in this process. Instance B: a child process with the same config but another port.
    h = await startHarness({ store: 'redis' });
    const port = await freePort();
    secondUrl = `http://127.0.0.1:${port}`;
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bConfig = path.join(h.dir, 'gatehouse-b.yaml');
    writeFileSync(bConfig, readFileSync(h.configFile, 'utf8').replace(/port: \d+ \}/, `port: ${port} }`));
    second = startProcess(bConfig);
    await waitReady(secondUrl, second);
  }, 60_000);

  afterAll(async () => {
    second.kill('SIGTERM');
    await once(second, 'exit');
    await h.close();
  });

  it('a session created on one instance works on the other, and a logout on one is refused on the other', async () => {
    const login = await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland');
    const cookie = login.jar.header(new URL(h.url))!;
    expect(await status(`${h.url}/app/`, cookie)).toBe(200);
    expect(await status(`${secondUrl}/app/`, cookie)).toBe(200); // B caches it now
    const out = await request(`${h.url}/.gatehouse/logout`, { headers: { cookie, accept: 'application/json' } });
    expect(out.statusCode).toBe(200);
    await out.body.dump();
    // B must refuse promptly: its cache is invalidated by pub/sub, well before its max age.
    let last = 0;
    for (let i = 0; i < 50; i++) {
      last = await status(`${secondUrl}/app/`, cookie);
      if (last === 401) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(last).toBe(401);
  });
});
