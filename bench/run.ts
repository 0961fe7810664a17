/**
 * `npm run bench`: bounded load through the gateway on an authenticated route (session cookie,
 * Redis session store, identity headers injected) and, in the same run, through a bare
 * `http-proxy` with a keep-alive agent to the same upstream. Prints requests/s, p50/p99 latency
 * of both, their ratio, and latency at one connection; then the policy decision micro-benchmark.
 * Uses wrk when installed, else autocannon. Redis: REDIS_URL (default redis://127.0.0.1:6379).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startGateway } from '../src/main.js';
import { createLogger } from '../src/observability/index.js';
import { startBareProxy } from './bare-proxy.js';
import { runLoad, startBenchUpstream, type LoadResult } from './load.js';
import { main as policyBench } from './policy-decision.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

function row(name: string, r: LoadResult): string {
  return `${name.padEnd(28)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50Ms.toFixed(2).padStart(6)} ms   p99 ${r.p99Ms.toFixed(2).padStart(6)} ms   errors ${r.errors + r.non2xx}`;
}

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const upstream = await startBenchUpstream();
  const bare = await startBareProxy({ upstream: upstream.url });
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-'));
  mkdirSync(path.join(dir, 'policies'));
  writeFileSync(
    path.join(dir, 'policies', 'bench.yaml'),
    `routes:\n  - id: app\n    match: { path: / }\n    upstream: ${upstream.url}\n    policy: authenticated\n`,
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
    logger: createLogger({ level: 'warn' }),
    port: 0,
    host: '127.0.0.1',
    watch: false,
  });
  try {
    // A real session in Redis, as a login would create it.
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
    const headers = { cookie: `gatehouse_session=${session.id}` };
    const gwUrl = `${gateway.url}/app/data`;
    const bareUrl = `${bare.url}/app/data`;

    // Warm up both (JIT, keep-alive pools, session cache).
    await runLoad({ url: bareUrl, connections: CONNECTIONS, durationSeconds: 1 });
    await runLoad({ url: gwUrl, connections: CONNECTIONS, durationSeconds: 1, headers });

    const bareLoad = await runLoad({
      url: bareUrl,
      connections: CONNECTIONS,
      durationSeconds: SECONDS,
    });
    const gwLoad = await runLoad({
      url: gwUrl,
      connections: CONNECTIONS,
      durationSeconds: SECONDS,
      headers,
    });
    const bareOne = await runLoad({ url: bareUrl, connections: 1, durationSeconds: 2 });
    const gwOne = await runLoad({ url: gwUrl, connections: 1, durationSeconds: 2, headers });

    console.log(
      `load generator: ${gwLoad.tool}, ${CONNECTIONS} connections, ${SECONDS} s each; Node ${process.version}`,
    );
    console.log(row('bare http-proxy', bareLoad));
    console.log(row('gatehouse (session+policy)', gwLoad));
    console.log(
      `ratio gatehouse/bare: ${(gwLoad.requestsPerSecond / bareLoad.requestsPerSecond).toFixed(2)} (aim: ≥ 0.90)`,
    );
    console.log('one connection:');
    console.log(row('  bare http-proxy', bareOne));
    console.log(row('  gatehouse', gwOne));
    console.log('');
    policyBench(2000);
  } finally {
    await gateway.close();
    await bare.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
