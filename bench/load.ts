/**
 * Load generation for the benchmark: `wrk` (Debian package) when installed, autocannon
 * (devDependency, runs in this process) otherwise; plus a minimal fast upstream.
 */
import { execFile, spawn } from 'node:child_process';
import { listenOnLoopback } from './loopback-server.js';
import autocannon from 'autocannon';

/** Which load generator produced a result. */
export type LoadTool = 'wrk' | 'autocannon';

/** Options for {@link runLoad}. */
export interface LoadOptions {
  /** Full URL to request (GET). */
  readonly url: string;
  /** Concurrent connections, 1–1000. */
  readonly connections: number;
  /** Test length in seconds, 1–300 (whole seconds). */
  readonly durationSeconds: number;
  /** Extra request headers (names and values without CR/LF). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Force a tool (tests); default: wrk when `which wrk` finds it, else autocannon. */
  readonly tool?: LoadTool;
}

/** Measured results. Latencies in milliseconds. */
export interface LoadResult {
  readonly tool: LoadTool;
  /** Total requests completed. */
  readonly requests: number;
  /** Mean completed requests per second. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket-level errors: connect, read, write and timeouts. */
  readonly errors: number;
  /**
   * Responses with an unwanted status: wrk counts 4xx/5xx ("Non-2xx or 3xx responses"),
   * autocannon every non-2xx. Benchmarks answer 200, so both should be 0.
   */
  readonly non2xx: number;
}

const MAX_CONNECTIONS = 1000;
const MAX_DURATION_SECONDS = 300;
/** Extra time a run may take beyond its duration before it is killed, ms. */
const GRACE_MS = 15_000;

function checkOptions(options: LoadOptions): void {
  const { connections, durationSeconds } = options;
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    throw new RangeError(`connections must be an integer in 1..${MAX_CONNECTIONS}`);
  }
  if (
    !Number.isInteger(durationSeconds) ||
    durationSeconds < 1 ||
    durationSeconds > MAX_DURATION_SECONDS
  ) {
    throw new RangeError(`durationSeconds must be an integer in 1..${MAX_DURATION_SECONDS}`);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (/[\r\n:]/.test(name) || /[\r\n]/.test(value))
      throw new RangeError(`invalid header ${JSON.stringify(name)}`);
  }
  new URL(options.url);
}

/** The path of `wrk` from `which wrk`, or undefined when it is not installed. */
export function findWrk(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('which', ['wrk'], { timeout: 5000 }, (err, stdout) => {
      const path = stdout.trim();
      resolve(err || path === '' ? undefined : path);
    });
  });
}

/**
 * Runs a bounded load test against `url` and reports throughput and latency.
 * The run is killed if it exceeds `durationSeconds` + 15 s.
 *
 * @throws RangeError for options out of bounds; Error when the tool fails or its output cannot be parsed.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  checkOptions(options);
  const wrk = options.tool === 'autocannon' ? undefined : await findWrk();
  if (options.tool === 'wrk' && wrk === undefined)
    throw new Error('wrk is not installed (apt-get install wrk)');
  return wrk === undefined ? runAutocannon(options) : runWrk(wrk, options);
}

function runWrk(bin: string, options: LoadOptions): Promise<LoadResult> {
  const args = [
    `-t${String(Math.min(2, options.connections))}`,
    `-c${String(options.connections)}`,
    `-d${String(options.durationSeconds)}s`,
    '--timeout',
    '5s',
    '--latency',
  ];
  for (const [name, value] of Object.entries(options.headers ?? {}))
    args.push('-H', `${name}: ${value}`);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const killer = setTimeout(
      () => child.kill('SIGKILL'),
      options.durationSeconds * 1000 + GRACE_MS,
    );
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) {
        reject(new Error(`wrk exited with ${signal ?? String(code)}: ${err.trim() || out.trim()}`));
        return;
      }
      try {
        resolve({ tool: 'wrk', ...parseWrkOutput(out) });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

const TIME_UNIT_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

function wrkTime(text: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(text);
  const unit = match?.[2];
  if (match?.[1] === undefined || unit === undefined)
    throw new Error(`wrk output has no ${percentile}% latency (was --latency given?)`);
  return Number(match[1]) * (TIME_UNIT_MS[unit] ?? NaN);
}

/**
 * Parses `wrk --latency` output (wrk 4.x).
 *
 * @throws Error when requests/sec or the 50 %/99 % latencies are missing.
 */
export function parseWrkOutput(text: string): Omit<LoadResult, 'tool'> {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text)?.[1];
  const total = /^\s*(\d+) requests in /m.exec(text)?.[1];
  if (rps === undefined || total === undefined)
    throw new Error('wrk output has no Requests/sec line');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  return {
    requests: Number(total),
    requestsPerSecond: Number(rps),
    p50Ms: wrkTime(text, '50'),
    p99Ms: wrkTime(text, '99'),
    errors,
    non2xx,
  };
}

async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  let instance: autocannon.Instance | undefined;
  let killer: NodeJS.Timeout | undefined;
  const run = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 5,
        headers: { ...options.headers },
      },
      (err, result) => {
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(result);
      },
    );
    killer = setTimeout(
      () => {
        instance?.stop();
      },
      options.durationSeconds * 1000 + GRACE_MS,
    );
  });
  try {
    const result = await run;
    return {
      tool: 'autocannon',
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
    };
  } finally {
    clearTimeout(killer);
  }
}

/** A running benchmark upstream. */
export interface BenchUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

const BODY = JSON.stringify({ ok: true, service: 'bench-upstream', items: [1, 2, 3] });

/**
 * Starts a minimal fast upstream on an ephemeral loopback port: every request gets
 * `200` with the same small JSON body (drained request body, keep-alive).
 */
export async function startBenchUpstream(): Promise<BenchUpstream> {
  const length = String(Buffer.byteLength(BODY));
  const server = await listenOnLoopback((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
    res.end(BODY);
  });
  return server;
}
