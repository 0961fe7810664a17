/**
 * Micro-benchmark of the policy decision (route match + evaluate) for 10 and 1,000 routes.
 * Run: `npm run build && node dist/bench/policy-decision.js`. Bounded to a few seconds.
 * Prints nanoseconds per request for both tables side by side and their ratio; the
 * route index should keep the 1,000-route decision within about 2x of the 10-route one.
 */
import { pathToFileURL } from 'node:url';
import type { CanonicalRequest, Identity } from '../src/core/index.js';
import { policyBodySchema, routeSchema, type LoadedRoute } from '../src/config/index.js';
import { compileRouteTable, type RouteTable } from '../src/policy/index.js';

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload {
  readonly table: RouteTable;
  readonly requests: readonly CanonicalRequest[];
}

/** Routes of a mixed deployment: per-app hosts, wildcard tenants, path prefixes on a portal, globs. */
/**
 * Builds `n` routes and 4,096 requests. `targets` is the number of distinct routes the
 * requests hit, spread evenly over the table (first, last and in between), so that a linear
 * scan would have to walk half the table on average while the memory touched per request
 * stays comparable between table sizes.
 */
function buildWorkload(
  n: number,
  targets = Math.min(n, 10),
  kinds: readonly number[] = [0, 1, 2, 3],
): Workload {
  const routes: LoadedRoute[] = [];
  const requests: CanonicalRequest[] = [];
  const random = rng(42);
  const base = { method: 'GET', scheme: 'https' as const, query: '', clientIp: '10.1.2.3' };
  for (let i = 0; i < n - 1; i++) {
    let raw: Record<string, unknown>;
    let sample: CanonicalRequest;
    switch (kinds[i % kinds.length] ?? 0) {
      case 0:
        raw = {
          match: { host: `app${i}.example.com`, path: `/svc` },
          policy: { groups: ['eng', `team-${i}`] },
        };
        sample = { ...base, host: `app${i}.example.com`, path: `/svc/items/${i}` };
        break;
      case 1:
        raw = {
          match: { host: `*.tenant${i}.example.com` },
          policy: {
            allow: [{ group: 'eng', method: ['GET', 'HEAD'] }],
            deny: [{ group: 'suspended' }],
          },
        };
        sample = { ...base, host: `acme.tenant${i}.example.com`, path: '/dashboard' };
        break;
      case 2:
        raw = {
          match: { host: 'portal.example.com', path: `/team${i}` },
          policy: { allow: [{ source_ip: '10.0.0.0/8' }, { group: 'eng' }] },
        };
        sample = { ...base, host: 'portal.example.com', path: `/team${i}/reports/q1` };
        break;
      default:
        raw = {
          match: { host: 'api.example.com', path_glob: `/v${i}/*/items`, methods: ['GET', 'POST'] },
          policy: { allow: [{ claim: { path: 'realm_access.roles', contains: 'reader' } }] },
        };
        sample = { ...base, host: 'api.example.com', path: `/v${i}/orders/items` };
    }
    routes.push({
      ...routeSchema.parse({ id: `r${i}`, upstream: 'http://127.0.0.1:9000', ...raw }),
      source: { file: 'bench.yaml', line: i + 1, column: 1 },
    });
    requests.push(sample);
  }
  routes.push({
    ...routeSchema.parse({
      id: 'catch-all',
      upstream: 'http://127.0.0.1:9000',
      policy: 'authenticated',
    }),
    source: { file: 'bench.yaml', line: n, column: 1 },
  });
  requests.push({ ...base, host: 'unknown.example.net', path: '/x' });
  const hot = Array.from(
    { length: targets },
    (_, j) => requests[targets === 1 ? 0 : Math.round((j * (n - 1)) / (targets - 1))]!,
  );
  const picked: CanonicalRequest[] = [];
  for (let k = 0; k < 4096; k++) picked.push(hot[Math.floor(random() * hot.length)]!);
  const table = compileRouteTable({
    routes,
    policies: { unused: policyBodySchema.parse({ allow: [{ group: 'x' }] }) },
    roles: {},
  });
  return { table, requests: picked };
}

const identity: Identity = {
  issuer: 'https://idp.example.com',
  sub: 'bench-user',
  user: 'bench-user',
  email: 'bench@example.com',
  emailVerified: true,
  groups: ['eng', 'staff'],
  roles: [],
  amr: ['pwd'],
  claims: { realm_access: { roles: ['reader'] } },
};

/**
 * Runs the decision loop for about `budgetMs` of wall time (`process.hrtime.bigint`) and
 * returns nanoseconds of CPU time (`process.cpuUsage`, user + system) per request, so that
 * time the process spends descheduled on a busy machine does not count.
 */
function measure(w: Workload, budgetMs: number): number {
  const ctx = { nowMs: Date.now() };
  let sink = 0;
  const run = (count: number): void => {
    for (let k = 0; k < count; k++) {
      const req = w.requests[k & 4095]!;
      const route = w.table.match(req);
      if (route !== undefined && route.evaluate(identity, req, ctx).effect === 'allow') sink++;
    }
  };
  run(20_000); // warm-up: let the JIT settle
  let iterations = 0;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(budgetMs)) * 1_000_000n;
  const cpu0 = process.cpuUsage();
  while (process.hrtime.bigint() < deadline) {
    run(10_000);
    iterations += 10_000;
  }
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) console.log(sink);
  return ((cpu.user + cpu.system) * 1000) / iterations;
}

export { buildWorkload, measure };

/**
 * Compiles 10 and 1,000 routes and prints the decision time per request, side by side.
 * Requests hit 10 routes spread over each table (see `buildWorkload`); a third line shows
 * the 1,000-route table with requests spread over all its routes (this adds CPU-cache
 * misses, not lookup work). Times are CPU time; measurements alternate between tables to
 * share the noise of a busy machine, and the best round of each is kept. Takes about `budgetMs` * 1.5.
 */
export function main(budgetMs = 2000): { small: number; large: number; ratio: number } {
  const smallW = buildWorkload(10);
  const largeW = buildWorkload(1000);
  const spreadW = buildWorkload(1000, 1000);
  const rounds = 5;
  const slice = budgetMs / (2 * rounds);
  let small = Number.POSITIVE_INFINITY;
  let large = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    small = Math.min(small, measure(smallW, slice));
    large = Math.min(large, measure(largeW, slice));
  }
  const spread = measure(spreadW, budgetMs / 2);
  const ratio = large / small;
  console.log('policy decision (match + evaluate), CPU time per request');
  console.log(`  routes       10: ${small.toFixed(0).padStart(7)} ns`);
  console.log(`  routes    1,000: ${large.toFixed(0).padStart(7)} ns`);
  console.log(
    `  ratio 1000/10  : ${ratio.toFixed(2)}x ${ratio <= 2 ? '(ok, within 2x)' : '(over 2x)'}`,
  );
  console.log(
    `  (1,000 routes, requests over all routes: ${spread.toFixed(0)} ns; includes cache misses)`,
  );
  return { small, large, ratio };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  main();
