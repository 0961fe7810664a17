import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startBareProxy } from '../../../bench/bare-proxy.js';
import { parseWrkOutput, runLoad, startBenchUpstream } from '../../../bench/load.js';

const WRK_OUTPUT = `Running 10s test @ http://127.0.0.1:8080/
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   635.91us    0.89ms  12.92ms   93.69%
    Req/Sec     9.04k     1.35k   12.14k    73.00%
  Latency Distribution
     50%  491.00us
     75%  700.00us
     90%    0.99ms
     99%    1.20s
  179841 requests in 10.01s, 53.06MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 12
Requests/sec:  17967.34
Transfer/sec:      5.30MB
`;

const hasWrk = (() => {
  try {
    execFileSync('which', ['wrk'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('parseWrkOutput', () => {
  it('reads throughput, percentiles in any unit, socket errors and bad statuses', () => {
    expect(parseWrkOutput(WRK_OUTPUT)).toEqual({
      requests: 179841,
      requestsPerSecond: 17967.34,
      p50Ms: 0.491,
      p99Ms: 1200,
      errors: 10,
      non2xx: 12,
    });
  });

  it('defaults missing error lines to 0 and refuses output without --latency', () => {
    const clean = WRK_OUTPUT.replace(/ {2}Socket errors.*\n/, '').replace(/ {2}Non-2xx.*\n/, '');
    expect(parseWrkOutput(clean)).toMatchObject({ errors: 0, non2xx: 0 });
    expect(() => parseWrkOutput(WRK_OUTPUT.replace(/ {5}50%.*\n/, ''))).toThrow(/50% latency/);
  });
});

describe('runLoad', () => {
  it('rejects unbounded runs', async () => {
    await expect(
      runLoad({ url: 'http://127.0.0.1:1/', connections: 0, durationSeconds: 1 }),
    ).rejects.toThrow(RangeError);
    await expect(
      runLoad({ url: 'http://127.0.0.1:1/', connections: 1, durationSeconds: 301 }),
    ).rejects.toThrow(RangeError);
  });

  const tools = hasWrk ? (['autocannon', 'wrk'] as const) : (['autocannon'] as const);
  it.each(tools)('measures the bare proxy in front of the bench upstream with %s', async (tool) => {
    const upstream = await startBenchUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startBareProxy({ upstream: upstream.url });
    cleanups.push(() => proxy.close());
    const result = await runLoad({
      url: `${proxy.url}/bench`,
      connections: 2,
      durationSeconds: 1,
      headers: { 'x-bench': '1' },
      tool,
    });
    expect(result.tool).toBe(tool);
    expect(result.requests).toBeGreaterThan(10);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
    // autocannon reports whole milliseconds, so a fast p50 may be 0.
    expect(result.p50Ms).toBeGreaterThanOrEqual(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(Number.isFinite(result.p99Ms)).toBe(true);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
  });
});
