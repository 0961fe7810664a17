/**
 * Focused load for profiling one component at a time (run after `npm run build`):
 *
 *   node [--cpu-prof] dist/bench/profile.js gateway|bare|forwarder [seconds] [connections]
 *
 * `gateway`: the full gateway (see bench-gateway.ts); `bare`: bare http-proxy; `forwarder`: the
 * proxy/ forwarder alone, called with the request's headers copied. Prints requests/s and the
 * CPU time of this process per request (upstream included, the same for all three), which is far
 * less sensitive to other load on the machine than requests/s.
 */
import { listenOnLoopback } from './loopback-server.js';
import { createForwarder } from '../src/proxy/index.js';
import { startBareProxy } from './bare-proxy.js';
import { startBenchGateway } from './bench-gateway.js';
import { runLoad, startBenchUpstream } from './load.js';

type Kind = 'gateway' | 'bare' | 'forwarder';

async function startForwarderOnly(
  upstream: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const forwarder = createForwarder({ connectTimeoutMs: 5000, timeoutMs: 30_000, maxSockets: 256 });
  const up = new URL(upstream);
  const server = await listenOnLoopback((req, res) => {
    forwarder.web(
      req,
      res,
      { upstream: up, target: req.url ?? '/', headers: { ...req.headers } },
      () => {
        res.writeHead(502).end();
      },
    );
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      forwarder.close();
    },
  };
}

async function main(): Promise<void> {
  const kind = (process.argv[2] ?? 'gateway') as Kind;
  const seconds = Number(process.argv[3] ?? 5);
  const connections = Number(process.argv[4] ?? 32);
  const upstream = await startBenchUpstream();
  const server =
    kind === 'bare'
      ? { ...(await startBareProxy({ upstream: upstream.url })), headers: {} }
      : kind === 'forwarder'
        ? { ...(await startForwarderOnly(upstream.url)), headers: {} }
        : await startBenchGateway(upstream.url, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const url = `${server.url}/app/data`;
    await runLoad({ url, connections, durationSeconds: 1, headers: server.headers });
    const cpu = process.cpuUsage();
    const r = await runLoad({
      url,
      connections,
      durationSeconds: seconds,
      headers: server.headers,
    });
    const used = process.cpuUsage(cpu);
    const perReq = (used.user + used.system) / r.requests;
    console.log(
      `${kind.padEnd(10)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  cpu ${perReq.toFixed(1)} µs/req  errors ${String(r.errors + r.non2xx)}`,
    );
  } finally {
    await server.close();
    await upstream.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
