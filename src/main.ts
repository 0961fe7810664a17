/**
 * The composition root (DESIGN.md): builds every dependency from configuration, starts the
 * server, and swaps the compiled runtime on hot reload. The only place that wires modules.
 */
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { GatewayError, systemClock, type Clock, type Logger } from './core/index.js';
import {
  formatProblem,
  loadConfig,
  watchConfig,
  type ConfigProblem,
  type ConfigWatcher,
  type GatewayConfig,
  type LoadResult,
} from './config/index.js';
import { compileRouteTable } from './policy/index.js';
import { createSessionCookieCodec, createSessionStore, type SessionStore } from './session/index.js';
import { createRelyingParties } from './oidc/index.js';
import { createHeaderShaper } from './headers/index.js';
import { createForwarder } from './proxy/index.js';
import {
  createClientInfoResolver,
  createGatewayServer,
  createRedirectScope,
  type GatewayRuntime,
  type GatewayServices,
} from './http/index.js';
import { createAuditLogger, createLogger } from './observability/index.js';
import { startMfa, type MfaRuntime, type StartMfaOptions } from './main-mfa.js';
import { createAssertionService } from './http/identity/assertion-service.js';
import { compileUpstreamIdentity } from './http/identity/upstream-identity.js';

export { listAssertionKeys, rotateAssertionKeys, type KeyListing, type RotateOptions } from './http/identity/key-admin.js';
export { upstreamIdentityProblems } from './http/identity/upstream-identity.js';

/** Options for {@link startGateway}. */
export interface StartOptions {
  /** Path of `gatehouse.yaml`. */
  readonly configFile: string;
  /** Environment for `${VAR}` substitution and overrides; config/ defaults it to the process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Logger of access-decision audit events; defaults to `logger` when one is given, else an unredacted JSON logger on stdout. */
  readonly auditLogger?: Logger;
  readonly clock?: Clock;
  /** Listen on this port instead of the configured one (0 = ephemeral; tests). */
  readonly port?: number;
  /** Listen on this host instead of the configured one. */
  readonly host?: string;
  /** Watch config and policy files for changes (default true). */
  readonly watch?: boolean;
}

/** A running gateway. */
export interface RunningGateway {
  readonly server: http.Server;
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly port: number;
  /** The configuration currently in force. */
  config(): GatewayConfig;
  /** Reloads config and policies now (SIGHUP); keeps the running set when the new one is invalid. */
  reload(): Promise<LoadResult>;
  /** Stops accepting connections and closes stores and watchers. */
  close(): Promise<void>;
  readonly store: SessionStore;
}

/** An invalid configuration, with every problem. */
export class ConfigInvalidError extends GatewayError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super('ERR_CONFIG_INVALID', problems.map(formatProblem).join('\n'), { expose: false });
    this.problems = problems;
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Compiles a validated configuration into the runtime the request pipeline uses.
 * @throws ConfigInvalidError when route compilation finds problems (bad CIDR, glob, time zone).
 */
export function buildRuntime(config: GatewayConfig, deps: { clock: Clock; logger: Logger }): GatewayRuntime {
  let routes;
  try {
    routes = compileRouteTable({ routes: config.routes, policies: config.policies, roles: config.roles, sources: config.sources });
  } catch (err) {
    if (err instanceof GatewayError && Array.isArray(err.details?.problems)) {
      throw new ConfigInvalidError(err.details.problems as ConfigProblem[]);
    }
    throw err;
  }
  const publicUrl = new URL(config.public_url);
  const secureCookies = publicUrl.protocol === 'https:';
  const codec = createSessionCookieCodec({
    name: config.session.cookie_name,
    secure: secureCookies,
    ...(config.session.cookie_domain === undefined ? {} : { domain: config.session.cookie_domain }),
  });
  const redirectUri = new URL('/.gatehouse/callback', publicUrl).href;
  const relyingParties = createRelyingParties(config.identity_providers, {
    clock: deps.clock,
    logger: deps.logger,
    redirectUri,
    allowInsecureHttp: config.identity_providers.every((p) => {
      const u = new URL(p.issuer);
      return u.protocol === 'https:' || isLoopbackHost(u.hostname);
    }),
  });
  const firstIdp = config.identity_providers[0];
  if (firstIdp === undefined) throw new ConfigInvalidError([]);
  let upstreamIdentity;
  try {
    upstreamIdentity = compileUpstreamIdentity(config, routes, {
      clock: deps.clock,
      logger: deps.logger,
      allowInsecureHttp: config.identity_providers.every((p) => new URL(p.issuer).protocol === 'https:' || isLoopbackHost(new URL(p.issuer).hostname)),
    });
  } catch (err) {
    if (err instanceof GatewayError && Array.isArray(err.details?.problems)) throw new ConfigInvalidError(err.details.problems as ConfigProblem[]);
    throw err;
  }
  return {
    config,
    publicUrl,
    routes,
    upstreamIdentity,
    shaper: createHeaderShaper({
      identityHeaders: config.identity_headers,
      assertionHeader: config.assertion.header,
      extraStripped: upstreamIdentity.templateHeaderNames,
      gatewayCookieNames: [config.session.cookie_name, `__Host-${config.session.cookie_name}`],
      gatewayCookiePrefixes: [`${config.session.cookie_name}_flow_`, `__Host-${config.session.cookie_name}_flow_`],
    }),
    clientInfo: createClientInfoResolver(config.trusted_proxies),
    redirectScope: createRedirectScope(publicUrl, routes.hosts),
    relyingParties,
    defaultIdp: firstIdp.id,
    sessionCookie: codec,
    secureCookies,
  };
}

/** Settings bound at process start (store, server, forwarder) that a reload cannot change. */
function restartOnlyChanges(started: GatewayConfig, next: GatewayConfig): string[] {
  const keys: string[] = [];
  if (JSON.stringify(started.listen) !== JSON.stringify(next.listen)) keys.push('listen');
  if (JSON.stringify(started.session) !== JSON.stringify(next.session)) keys.push('session');
  if (
    started.upstream.connect_timeout !== next.upstream.connect_timeout ||
    started.upstream.max_sockets !== next.upstream.max_sockets
  ) {
    keys.push('upstream.connect_timeout/max_sockets');
  }
  return keys;
}

/**
 * Loads the configuration, builds every service and starts listening.
 * @throws ConfigInvalidError for an invalid configuration (every problem, one line each).
 */
export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const env = options.env;
  const clock = options.clock ?? systemClock;
  const loadOptions = env === undefined ? {} : { env };
  const first = await loadConfig(options.configFile, loadOptions);
  if (!first.ok) throw new ConfigInvalidError(first.problems);
  const logger = options.logger ?? createLogger({ level: first.config.logging.level });
  const audit =
    options.auditLogger ?? (options.logger === undefined ? createAuditLogger({ level: first.config.logging.level }) : options.logger);
  for (const w of first.warnings) logger.warn({ event: 'config.warning' }, formatProblem(w));
  let runtime = buildRuntime(first.config, { clock, logger });
  const assertions = createAssertionService({ clock, logger, watch: options.watch !== false });
  try {
    await assertions.configure(first.config);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new ConfigInvalidError([{ file: options.configFile, line: 0, column: 0, path: 'assertion', message: err.message, severity: 'error' }]);
  }

  const mfa = await startMfaOrConfigError(first.config, { clock, logger });
  const store = createSessionStore(first.config.session, { clock, logger });
  const forwarder = createForwarder({
    connectTimeoutMs: first.config.upstream.connect_timeout * 1000,
    timeoutMs: first.config.upstream.timeout * 1000,
    maxSockets: first.config.upstream.max_sockets,
    logger,
  });
  const services: GatewayServices = {
    store,
    forwarder,
    clock,
    logger,
    audit,
    assertions,
    ...(mfa === undefined ? {} : { mfa: mfa.service }),
  };
  const server = createGatewayServer({ current: () => runtime }, services);

  let keysReloaded: Promise<void> = Promise.resolve();
  const apply = (result: LoadResult): LoadResult => {
    if (!result.ok) {
      for (const p of result.problems) logger.error({ event: 'config.reload_rejected' }, formatProblem(p));
      return result;
    }
    if (result.config.routes.length === 0 && runtime.config.routes.length > 0) {
      // An emptied or truncated policy file must not take every route down.
      const problem = {
        file: result.config.policiesDir,
        line: 0,
        column: 0,
        path: '',
        message: 'the new configuration has no routes: reload refused, the running routes stay',
        severity: 'error' as const,
      };
      logger.error({ event: 'config.reload_rejected' }, formatProblem(problem));
      return { ok: false, problems: [problem] };
    }
    const mfaChange = mfaReloadProblem(result.config, mfa, options.configFile);
    if (mfaChange !== undefined) {
      logger.error({ event: 'config.reload_rejected' }, formatProblem(mfaChange));
      return { ok: false, problems: [mfaChange] };
    }
    if (mfa !== undefined && JSON.stringify(result.config.mfa) !== JSON.stringify(mfa.config)) {
      logger.warn({ event: 'config.restart_required', section: 'mfa' }, 'changes to the mfa: section take effect at the next restart');
    }
    const bound = restartOnlyChanges(first.config, result.config);
    if (bound.length > 0) {
      logger.warn(
        { event: 'config.restart_required', keys: bound },
        `changed settings take effect only after a restart: ${bound.join(', ')}`,
      );
    }
    try {
      runtime = buildRuntime(result.config, { clock, logger });
      keysReloaded = assertions.configure(result.config).catch((err: unknown) => {
        logger.error({ event: 'config.reload_rejected', err }, 'assertion keys not reloaded; the previous keys stay in force');
      });
      logger.info({ event: 'config.reloaded', routes: result.config.routes.length }, 'configuration reloaded');
      return result;
    } catch (err) {
      const problems =
        err instanceof ConfigInvalidError
          ? err.problems
          : [{ file: options.configFile, line: 0, column: 0, path: '', message: String(err), severity: 'error' as const }];
      for (const p of problems) logger.error({ event: 'config.reload_rejected' }, formatProblem(p));
      return { ok: false, problems };
    }
  };

  let watcher: ConfigWatcher | undefined;
  if (options.watch !== false) {
    watcher = watchConfig({
      configFile: options.configFile,
      ...loadOptions,
      onReload: (result) => {
        apply(result);
      },
    });
  }

  const host = options.host ?? first.config.listen.host;
  const port = options.port ?? first.config.listen.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info({ event: 'gateway.started', address: address.address, port: address.port, publicUrl: first.config.public_url }, 'gatehouse listening');

  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    store,
    config: () => runtime.config,
    reload: async () => {
      const result = apply(await loadConfig(options.configFile, loadOptions));
      await keysReloaded;
      return result;
    },
    close: async () => {
      watcher?.close();
      assertions.close();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      forwarder.close();
      await store.close();
      await mfa?.close();
    },
  };
}

/** Starts MFA (when configured); a key or key-id problem becomes a {@link ConfigInvalidError}. */
async function startMfaOrConfigError(config: GatewayConfig, deps: StartMfaOptions): Promise<MfaRuntime | undefined> {
  try {
    return await startMfa(config, deps);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'ERR_CONFIG_INVALID') {
      throw new ConfigInvalidError([{ file: config.configFile, line: 0, column: 0, path: '', message: err.message, severity: 'error' }]);
    }
    throw err;
  }
}

/**
 * The `mfa:` section is read at start only: adding or removing it needs a restart (the reload is
 * rejected); other changes are logged as taking effect at the next start.
 */
function mfaReloadProblem(next: GatewayConfig, running: MfaRuntime | undefined, configFile: string): ConfigProblem | undefined {
  if ((next.mfa === undefined) !== (running === undefined)) {
    return {
      file: configFile,
      line: 0,
      column: 0,
      path: 'mfa',
      message: `${running === undefined ? 'adding' : 'removing'} the mfa: section needs a restart of the gateway`,
      severity: 'error',
    };
  }
  return undefined;
}

/**
 * Opens the MFA service a deployment's configuration names (for `gatehouse mfa` and
 * `gatehouse keys`), without the prune timer. Close it when done. Logs (audit events) go to
 * `options.logger`, default JSON lines on stderr.
 * @throws ConfigInvalidError for an invalid configuration or when `mfa:` is not configured.
 */
export async function openMfaService(
  configFile: string,
  options: { readonly logger?: Logger } = {},
): Promise<{ mfa: MfaRuntime; defaultIssuer: string }> {
  const result = await loadConfig(configFile);
  if (!result.ok) throw new ConfigInvalidError(result.problems);
  // Audit events of operator commands go to stderr (stdout is the command's output).
  const logger = options.logger ?? createLogger({ level: result.config.logging.level, destination: process.stderr });
  const mfa = await startMfaOrConfigError(result.config, { clock: systemClock, logger, pruneIntervalMs: 0 });
  if (mfa === undefined) {
    throw new ConfigInvalidError([
      { file: result.config.configFile, line: 0, column: 0, path: 'mfa', message: 'MFA is not configured (no mfa: section)', severity: 'error' },
    ]);
  }
  return { mfa, defaultIssuer: result.config.identity_providers[0]?.issuer ?? '' };
}

/**
 * Opens the session store a deployment's configuration names (for `gatehouse sessions`).
 * @throws ConfigInvalidError for an invalid configuration.
 */
export async function openSessionStore(
  configFile: string,
): Promise<{ store: SessionStore; defaultIssuer: string; kind: 'memory' | 'redis' }> {
  const result = await loadConfig(configFile);
  if (!result.ok) throw new ConfigInvalidError(result.problems);
  const logger = createLogger({ level: 'warn' });
  const store = createSessionStore(result.config.session, { clock: systemClock, logger });
  const first = result.config.identity_providers[0];
  return { store, defaultIssuer: first?.issuer ?? '', kind: result.config.session.store };
}
