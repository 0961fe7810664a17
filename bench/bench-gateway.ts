/**
 * The gateway under benchmark: a real `startGateway` with one authenticated route to `upstream`,
 * a Redis session store (with its in-process cache) and a live session, as a login creates it.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startGateway } from '../src/main.js';
import { pino } from 'pino';
import { createAuditLogger, createLogger } from '../src/observability/index.js';

/** A running benchmark gateway. */
export interface BenchGateway {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Request headers that authenticate as the benchmark session (`cookie`). */
  readonly headers: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * Starts the gateway on an ephemeral loopback port with route `/` → `upstream`
 * (`policy: authenticated`), session store `redis` at `redisUrl` under a random key prefix.
 */
export async function startBenchGateway(upstream: string, redisUrl: string): Promise<BenchGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-'));
  mkdirSync(path.join(dir, 'policies'));
  writeFileSync(
    path.join(dir, 'policies', 'bench.yaml'),
    `routes:\n  - id: app\n    match: { path: / }\n    upstream: ${upstream}\n    policy: authenticated\n`,
  );
  writeFileSync(
    path.join(dir, 'gatehouse.yaml'),
    `public_url: http://127.0.0.1:8080
session:
  store: redis
  redis: { url: "${redisUrl}", key_prefix: "gatehouse-bench:${randomBytes(4).toString('hex')}:" }
identity_providers:
  - id: bench
    issuer: http://127.0.0.1:9
    client_id: bench
    client_secret: bench
policies_dir: policies
`,
  );
  const gateway = await startGateway({
    configFile: path.join(dir, 'gatehouse.yaml'),
    // The default level (info): every access decision is an audit line, as in production; the
    // lines go to /dev/null so the terminal's speed does not count.
    logger: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) }),
    auditLogger: createAuditLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) }),
    port: 0,
    host: '127.0.0.1',
    watch: false,
  });
  try {
    const session = await gateway.store.create({
      idpId: 'bench',
      identity: {
        issuer: 'http://127.0.0.1:9',
        sub: 'bench-user',
        user: 'bench-user',
        email: 'bench@example.com',
        preferredUsername: 'bench',
        groups: ['engineering', 'admins'],
        roles: [],
        amr: ['pwd'],
        claims: {},
      },
      tokens: {},
    });
    return {
      url: gateway.url,
      headers: { cookie: `gatehouse_session=${session.id}` },
      close: async () => {
        await gateway.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
