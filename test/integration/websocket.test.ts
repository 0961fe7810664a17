/** WebSocket upgrades through the gateway, with and without a session, against a real upstream. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';
import { loginThroughIdp } from '../helpers/login-flow.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function open(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket; first: string } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
    });
    ws.once('message', (data) => {
      resolve({ ws, first: (data as Buffer).toString() });
    });
    ws.once('error', reject);
  });
}

describe('WebSocket through the gateway', () => {
  it('refuses an upgrade on a protected route without a session (401)', async () => {
    const res = await open(`${h.url.replace('http', 'ws')}/app/socket`, {});
    expect(res).toEqual({ status: 401 });
  });

  it('forwards an upgrade with a session, with identity headers, and echoes messages', async () => {
    const login = await loginThroughIdp(`${h.url}/app/`, 'alice', 'wonderland');
    const cookie = login.jar.header(new URL(h.url))!;
    const res = await open(`${h.url.replace('http', 'ws')}/app/socket`, { cookie, 'x-forwarded-user': 'mallory' });
    if (!('ws' in res)) throw new Error(`upgrade refused: ${res.status}`);
    const upgrade = JSON.parse(res.first) as { headers: Record<string, string> };
    expect(upgrade.headers['x-forwarded-email']).toBe('alice@example.com');
    expect(upgrade.headers['x-forwarded-user']).not.toBe('mallory');
    expect(upgrade.headers.cookie ?? '').not.toContain('gatehouse_session');
    const echoed = new Promise<string>((resolve) => {
      res.ws.once('message', (d: Buffer) => {
        resolve(d.toString());
      });
    });
    res.ws.send('hello');
    expect(await echoed).toBe('hello');
    res.ws.close();
  });

  it('forwards an upgrade on a public route without a session', async () => {
    const res = await open(`${h.url.replace('http', 'ws')}/socket`, {});
    expect('ws' in res).toBe(true);
    if ('ws' in res) res.ws.close();
  });
});
