/**
 * `npm run bench`: bounded load through the gateway on an authenticated route (session cookie,
 * Redis session store with its in-process cache, identity headers injected) and, in the same run,
 * through a bare `http-proxy` with a keep-alive agent to the same upstream. The two are measured
 * alternately for BENCH_ROUNDS rounds (default 3) so that load from elsewhere on the machine hits
 * both alike; prints each round, the median requests/s ratio, the CPU time of this process per
 * request (upstream included, far less sensitive to other load than requests/s), latency at one
 * connection, and the load average; then the policy decision micro-benchmark.
 * Uses wrk when installed, else autocannon. Redis: REDIS_URL (default redis://127.0.0.1:6379).
 * Environment: BENCH_CONNECTIONS (32), BENCH_SECONDS (5 per measurement), BENCH_ROUNDS (3).
 */
import { loadavg } from 'node:os';
import { startBareProxy } from './bare-proxy.js';
import { startBenchGateway } from './bench-gateway.js';
import { runLoad, startBenchUpstream, type LoadOptions, type LoadResult } from './load.js';
import { main as policyBench } from './policy-decision.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** A load result plus the CPU time this process spent per request, µs. */
interface Measured extends LoadResult {
  readonly cpuMicrosPerRequest: number;
}

async function measure(options: LoadOptions): Promise<Measured> {
  const before = process.cpuUsage();
  const result = await runLoad(options);
  const used = process.cpuUsage(before);
  return {
    ...result,
    cpuMicrosPerRequest: (used.user + used.system) / Math.max(1, result.requests),
  };
}

function row(name: string, r: Measured): string {
  return `${name.padEnd(28)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50Ms.toFixed(2).padStart(6)} ms   p99 ${r.p99Ms.toFixed(2).padStart(7)} ms   cpu ${r.cpuMicrosPerRequest.toFixed(0).padStart(4)} µs/req   errors ${String(r.errors + r.non2xx)}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

const load = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const upstream = await startBenchUpstream();
  const bare = await startBareProxy({ upstream: upstream.url });
  const gateway = await startBenchGateway(upstream.url, redisUrl);
  try {
    const { headers } = gateway;
    const gwUrl = `${gateway.url}/app/data`;
    const bareUrl = `${bare.url}/app/data`;

    // Warm up both (JIT, keep-alive pools, session cache).
    await runLoad({ url: bareUrl, connections: CONNECTIONS, durationSeconds: 1 });
    await runLoad({ url: gwUrl, connections: CONNECTIONS, durationSeconds: 1, headers });

    console.log(`load average before: ${load()} (${String(ROUNDS)} rounds)`);
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    let tool = '';
    for (let round = 1; round <= ROUNDS; round++) {
      const b = await measure({ url: bareUrl, connections: CONNECTIONS, durationSeconds: SECONDS });
      const g = await measure({
        url: gwUrl,
        connections: CONNECTIONS,
        durationSeconds: SECONDS,
        headers,
      });
      tool = g.tool;
      ratios.push(g.requestsPerSecond / b.requestsPerSecond);
      cpuRatios.push(b.cpuMicrosPerRequest / g.cpuMicrosPerRequest);
      console.log(`round ${String(round)}: load average ${load()}`);
      console.log(row('  bare http-proxy', b));
      console.log(row('  gatehouse (session+policy)', g));
      console.log(
        `  ratio gatehouse/bare: ${(g.requestsPerSecond / b.requestsPerSecond).toFixed(2)} req/s, ${(b.cpuMicrosPerRequest / g.cpuMicrosPerRequest).toFixed(2)} by CPU per request`,
      );
    }
    const bareOne = await measure({ url: bareUrl, connections: 1, durationSeconds: 2 });
    const gwOne = await measure({ url: gwUrl, connections: 1, durationSeconds: 2, headers });

    console.log(
      `load generator: ${tool}, ${String(CONNECTIONS)} connections, ${String(SECONDS)} s each; Node ${process.version}`,
    );
    console.log(
      `median ratio gatehouse/bare: ${median(ratios).toFixed(2)} req/s (aim: ≥ 0.90); ${median(cpuRatios).toFixed(2)} by CPU per request`,
    );
    console.log('one connection:');
    console.log(row('  bare http-proxy', bareOne));
    console.log(row('  gatehouse', gwOne));
    console.log(`load average after: ${load()}`);
    console.log('');
    policyBench(2000);
  } finally {
    await gateway.close();
    await bare.close();
    await upstream.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
