/**
 * Starts the whole gateway on loopback for integration and end-to-end tests: the real
 * development IdP (oidc-provider), a real echo upstream, and the gateway in this process with a
 * configuration written to a temporary directory. Ports are ephemeral.
 */
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, type RunningGateway, type StartOptions } from '../../src/main.js';
import { startDevIdp, startEchoUpstream } from '../../src/demo/index.js';
import { silentLogger, type Clock, type Logger } from '../../src/core/index.js';
import { redisUrl, uniqueRedisPrefix } from './redis.js';
import { freePort } from './global-setup.js';

export { freePort };

export const CLIENT_ID = 'gatehouse-test';
export const CLIENT_SECRET = 'test-secret';

/** The routes used by most tests: the demo's three, plus a WebSocket route. */
export function defaultRoutes(upstreamUrl: string): string {
  return `routes:
  - id: admin
    match: { path: /admin }
    upstream: ${upstreamUrl}
    policy:
      groups: [admins]
  - id: app
    match: { path: /app }
    upstream: ${upstreamUrl}
    policy: authenticated
  - id: home
    match: { path: / }
    upstream: ${upstreamUrl}
    policy: public
`;
}

export interface HarnessOptions {
  readonly store?: 'memory' | 'redis';
  /** Policy file content; `{{UPSTREAM}}` is replaced by the echo upstream URL. */
  readonly routes?: string;
  /** Extra YAML appended to gatehouse.yaml (top-level keys not otherwise set). */
  readonly extraConfig?: string;
  /** Extra YAML keys of the identity provider entry (e.g. `bearer:`), unindented. */
  readonly idpExtra?: string;
  readonly session?: { idle?: string; absolute?: string };
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Access token lifetime at the IdP, seconds (to exercise refresh). */
  readonly accessTokenTtl?: number;
  /** Reuse an already running IdP (e.g. for two gateways). */
  readonly idp?: Awaited<ReturnType<typeof startDevIdp>>;
  readonly port?: number;
  readonly redisPrefix?: string;
  /** Redis URL for the session store (default: the suite's Redis). */
  readonly redisUrl?: string;
  readonly watch?: boolean;
}

export interface Harness {
  /** The gateway currently running (replaced by {@link Harness.restart}). */
  readonly gateway: RunningGateway;
  /** Stops the gateway and starts a new one with the same configuration and port. */
  restart(): Promise<void>;
  readonly idp: Awaited<ReturnType<typeof startDevIdp>>;
  readonly upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  /** The gateway's public URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly dir: string;
  readonly configFile: string;
  readonly policyFile: string;
  readonly redisPrefix: string;
  close(): Promise<void>;
}

/** Writes the gateway config for a harness; returns the config file path. */
export function writeConfig(
  dir: string,
  o: {
    port: number;
    issuer: string;
    store: 'memory' | 'redis';
    redisPrefix: string;
    redisUrl?: string;
    extra?: string;
    idle?: string;
    absolute?: string;
    idpExtra?: string;
  },
): string {
  const configFile = path.join(dir, 'gatehouse.yaml');
  writeFileSync(
    configFile,
    `listen: { host: 127.0.0.1, port: ${o.port} }
public_url: http://127.0.0.1:${o.port}
session:
  idle_timeout: ${o.idle ?? '30m'}
  absolute_lifetime: ${o.absolute ?? '12h'}
  store: ${o.store}
  redis: { url: "${o.redisUrl ?? redisUrl()}", key_prefix: "${o.redisPrefix}" }
identity_providers:
  - id: test
    issuer: ${o.issuer}
    client_id: ${CLIENT_ID}
    client_secret: \${TEST_CLIENT_SECRET}
    scopes: [openid, email, profile, groups, offline_access]
${(o.idpExtra ?? '').split('\n').filter((l) => l.trim() !== '').map((l) => `    ${l}\n`).join('')}policies_dir: policies
logging: { level: silent }
${o.extra ?? ''}`,
  );
  return configFile;
}

/** Starts IdP, upstream and gateway. Close it in `afterAll`. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const idp =
    options.idp ??
    (await startDevIdp({
      host: '127.0.0.1',
      port: 0,
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${url}/.gatehouse/callback`],
          post_logout_redirect_uris: [`${url}/`],
        },
      ],
      ...(options.accessTokenTtl === undefined ? {} : { ttl: { accessToken: options.accessTokenTtl } }),
    }));
  const upstream = await startEchoUpstream({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-test-'));
  mkdirSync(path.join(dir, 'policies'));
  const policyFile = path.join(dir, 'policies', 'routes.yaml');
  writeFileSync(policyFile, (options.routes ?? defaultRoutes('{{UPSTREAM}}')).replaceAll('{{UPSTREAM}}', upstream.url));
  const redisPrefix = options.redisPrefix ?? uniqueRedisPrefix('gw');
  const configFile = writeConfig(dir, {
    port,
    issuer: idp.issuer,
    store: options.store ?? 'memory',
    redisPrefix,
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    ...(options.extraConfig === undefined ? {} : { extra: options.extraConfig }),
    ...(options.idpExtra === undefined ? {} : { idpExtra: options.idpExtra }),
    ...(options.session?.idle === undefined ? {} : { idle: options.session.idle }),
    ...(options.session?.absolute === undefined ? {} : { absolute: options.session.absolute }),
  });
  const startOptions: StartOptions = {
    configFile,
    env: { TEST_CLIENT_SECRET: CLIENT_SECRET },
    logger: options.logger ?? silentLogger,
    watch: options.watch ?? false,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  };
  let gateway = await startGateway(startOptions);
  return {
    get gateway() {
      return gateway;
    },
    restart: async () => {
      await gateway.close();
      gateway = await startGateway(startOptions);
    },
    idp,
    upstream,
    url,
    dir,
    configFile,
    policyFile,
    redisPrefix,
    close: async () => {
      await gateway.close();
      await upstream.close();
      if (options.idp === undefined) await idp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
