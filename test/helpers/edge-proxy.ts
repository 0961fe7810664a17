/**
 * Test helper for forward-auth with a real edge proxy (Debian's nginx or Caddy): the dev IdP,
 * the echo upstream and the gateway configured for a proxy in front (public URL = the proxy,
 * the proxy trusted), the proxy configuration taken verbatim from docs/forward-auth.md, and
 * starting/stopping the proxy binary on loopback.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/index.js';
import { startDevIdp, startEchoUpstream, type DevIdp, type EchoUpstream } from '../../src/demo/index.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { CLIENT_ID, CLIENT_SECRET, defaultRoutes, freePort } from './gateway-harness.js';

const DOC = path.resolve(import.meta.dirname, '../../docs/forward-auth.md');

/** The first fenced block of `lang` in docs/forward-auth.md. */
export function docBlock(lang: string): string {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readFileSync(DOC, 'utf8'));
  if (m?.[1] === undefined) throw new Error(`no ${lang} block in docs/forward-auth.md`);
  return m[1];
}

/** Absolute path of an installed binary, or undefined (tests skip then). */
export function findBinary(name: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Everything behind the proxy. */
export interface BehindProxy {
  readonly proxyPort: number;
  /** `http://127.0.0.1:<proxyPort>`: the public URL. */
  readonly proxyUrl: string;
  /** `http://127.0.0.1:<gateway port>`. */
  readonly gatewayUrl: string;
  readonly upstream: EchoUpstream;
  readonly idp: DevIdp;
  readonly gateway: RunningGateway;
  readonly dir: string;
  close(): Promise<void>;
}

/** Starts IdP, echo upstream and a gateway whose public URL is the (future) proxy's. */
export async function startBehindProxy(): Promise<BehindProxy> {
  const proxyPort = await freePort();
  const gatewayPort = await freePort();
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;
  const idp = await startDevIdp({
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${proxyUrl}/.gatehouse/callback`],
        post_logout_redirect_uris: [`${proxyUrl}/`],
      },
    ],
  });
  const upstream = await startEchoUpstream({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-edge-'));
  mkdirSync(path.join(dir, 'policies'));
  writeFileSync(path.join(dir, 'policies', 'routes.yaml'), defaultRoutes(upstream.url));
  const configFile = path.join(dir, 'gatehouse.yaml');
  writeFileSync(
    configFile,
    `listen: { host: 127.0.0.1, port: ${gatewayPort} }
public_url: ${proxyUrl}
trusted_proxies: [127.0.0.1]
identity_providers:
  - id: test
    issuer: ${idp.issuer}
    client_id: ${CLIENT_ID}
    client_secret: ${CLIENT_SECRET}
    scopes: [openid, email, profile, groups]
policies_dir: policies
logging: { level: silent }
`,
  );
  const gateway = await startGateway({ configFile, logger: silentLogger, watch: false });
  return {
    proxyPort,
    proxyUrl,
    gatewayUrl: gateway.url,
    upstream,
    idp,
    gateway,
    dir,
    close: async () => {
      await gateway.close();
      await upstream.close();
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once `port` on 127.0.0.1 accepts connections; rejects if `child` exits first. */
export function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const onExit = (code: number | null) => {
      if (done) return;
      done = true;
      reject(new Error(`proxy exited (${String(code)}) before listening:\n${output()}`));
    };
    child.once('exit', onExit);
    const attempt = () => {
      if (done) return;
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done = true;
        child.off('exit', onExit);
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        // The proxy signals readiness only by accepting: retry shortly.
        setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Spawns a proxy binary and waits until it listens; the returned function stops it. */
export async function runProxy(bin: string, args: string[], port: number, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, child, () => output);
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => {
        resolve();
      });
      child.kill('SIGTERM');
    });
}
