/**
 * Hot reload of policies while the gateway runs: a broken file keeps the running set and logs
 * one clear line; a valid change replaces the set atomically; readiness stays ready; a
 * keep-alive connection survives reloads.
 */
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'undici';
import { createLogger } from '../../src/observability/index.js';
import { startHarness, type Harness } from '../helpers/gateway-harness.js';

const lines: Record<string, unknown>[] = [];
const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const text of chunk.toString().split('\n')) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
    cb();
  },
});

/** Resolves with the next log line carrying `event`. */
function nextEvent(event: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => waiters.push({ match: (l) => l.event === event, resolve }));
}

const routes = (appPolicy: string): string => `routes:
  - id: app
    match: { path: /app }
    upstream: {{UPSTREAM}}
    policy: ${appPolicy}
`;

let h: Harness;
let client: Client;

beforeAll(async () => {
  h = await startHarness({ routes: routes('authenticated'), watch: true, logger: createLogger({ level: 'info', destination: sink }) });
  client = new Client(h.url, { pipelining: 0 });
});
afterAll(async () => {
  await client.close();
  await h.close();
});

async function status(path: string): Promise<number> {
  const res = await client.request({ method: 'GET', path, headers: { accept: 'application/json' } });
  await res.body.dump();
  return res.statusCode;
}

describe('hot reload', () => {
  it('keeps serving the last good policies when a broken file is written, and logs one line', async () => {
    expect(await status('/app/')).toBe(401);
    const rejected = nextEvent('config.reload_rejected');
    const before = lines.length;
    writeFileSync(h.policyFile, routes('authenticated').replace('upstream:', 'upstream: [oops\n    x:'));
    const line = await rejected;
    expect(String(line.msg)).toMatch(/routes\.yaml:\d+:\d+ /);
    // One clear line for the one problem.
    await new Promise((r) => setTimeout(r, 300)); // let any duplicate debounce fire (bounded)
    expect(lines.slice(before).filter((l) => l.event === 'config.reload_rejected')).toHaveLength(1);
    expect(await status('/app/')).toBe(401);
    expect(await status('/.gatehouse/readyz')).toBe(200);
  });

  it('applies a valid change atomically, on the same keep-alive connection', async () => {
    const reloaded = nextEvent('config.reloaded');
    writeFileSync(h.policyFile, routes('public').replace('{{UPSTREAM}}', h.upstream.url));
    await reloaded;
    expect(await status('/app/')).toBe(200);
  });

  it('reloads on demand (SIGHUP path) and reports problems of an invalid set', async () => {
    writeFileSync(h.policyFile, routes('no-such-policy').replace('{{UPSTREAM}}', h.upstream.url));
    const result = await h.gateway.reload();
    expect(result.ok).toBe(false);
    expect(await status('/app/')).toBe(200); // still the last good set
  });
});

describe('hot reload of an emptied policy file', () => {
  it('refuses a set with no routes and keeps serving', async () => {
    const rejected = nextEvent('config.reload_rejected');
    writeFileSync(h.policyFile, '');
    const line = await rejected;
    expect(String(line.msg)).toMatch(/no routes: reload refused/);
    expect(await status('/app/')).toBe(200);
  });
});
