/**
 * DEVELOPMENT ONLY — never use in production. A small OpenID Provider (oidc-provider 8) for
 * `gatehouse demo` and the tests: built-in users, in-memory storage, a fresh signing key per
 * start, plain HTTP allowed, consent granted automatically.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Provider, errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { silentLogger, type Logger } from '../core/index.js';
import { DEFAULT_DEV_USERS, devUserClaims, type DevUser } from './dev-users.js';
import { createInteractionHandler } from './dev-idp-interactions.js';
import { renderErrorPage, renderLoggedOutPage, renderLogoutPage } from './dev-idp-pages.js';
import { closeServer } from './close-server.js';

/** A client (relying party) registered at the demo IdP (OIDC Registration §2 metadata). */
export interface DevIdpClient {
  readonly client_id: string;
  /** Omit for a public client (PKCE, `token_endpoint_auth_method: none`). */
  readonly client_secret?: string;
  readonly redirect_uris: readonly string[];
  readonly post_logout_redirect_uris?: readonly string[];
}

/** Token and session lifetimes of the demo IdP, each in seconds. */
export interface DevIdpTtl {
  /** Default 900 (15 minutes). */
  readonly accessToken?: number;
  /** Default 3600. */
  readonly idToken?: number;
  /** Default 86400 (1 day). */
  readonly refreshToken?: number;
  /** Default 60. */
  readonly authorizationCode?: number;
  /** IdP login session. Default 86400. */
  readonly session?: number;
  /** Login/consent interaction. Default 600. */
  readonly interaction?: number;
  /** Default 86400. */
  readonly grant?: number;
}

/**
 * An API (resource server, RFC 8707) the demo IdP issues JWT access tokens for: a client that
 * sends `resource=<url>` gets an RFC 9068 JWT with `aud: <url>` and the granted `scopes`.
 */
export interface DevApiResource {
  /** Resource indicator, also the `aud` of its access tokens. */
  readonly url: string;
  /** Scopes of the API, e.g. `["api:read", "api:write"]`. */
  readonly scopes: readonly string[];
  /** Access token format. Default `jwt`. */
  readonly format?: 'jwt' | 'opaque';
}

/** Options of {@link startDevIdp}. */
export interface DevIdpOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Issuer identifier; default `http://<host>:<port>` (no trailing slash). */
  readonly issuerUrl?: string;
  readonly clients: readonly DevIdpClient[];
  /** Default: {@link DEFAULT_DEV_USERS} (alice, bob). */
  readonly users?: readonly DevUser[];
  readonly logger?: Logger;
  readonly ttl?: DevIdpTtl;
  /** Issue a new refresh token on every refresh (reuse of the old one revokes the grant). Default true. */
  readonly rotateRefreshTokens?: boolean;
  /** Trust `X-Forwarded-*` (when the issuer URL is served through a proxy). Default false. */
  readonly trustProxy?: boolean;
  /**
   * APIs to issue access tokens for (resource indicators, RFC 8707), for bearer-token tests.
   * When given, token introspection (RFC 7662) is enabled too, and access tokens carry the
   * user's `email`, `preferred_username`, `name` and `groups`.
   */
  readonly apiResources?: readonly DevApiResource[];
}

/** A running demo IdP. */
export interface DevIdp {
  /** Issuer identifier, e.g. `http://127.0.0.1:41234`. */
  readonly issuer: string;
  readonly host: string;
  readonly port: number;
  readonly users: readonly DevUser[];
  /** The oidc-provider instance (events such as `grant.success` for tests). */
  readonly provider: Provider;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const TTL_DEFAULTS: Required<DevIdpTtl> = {
  accessToken: 900,
  idToken: 3600,
  refreshToken: 86_400,
  authorizationCode: 60,
  session: 86_400,
  interaction: 600,
  grant: 86_400,
};

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    use: 'sig',
    alg: 'RS256',
  };
}

/** The user claims put into access tokens (JWT) and introspection answers. */
function tokenClaims(users: readonly DevUser[], accountId: string | undefined): Record<string, unknown> | undefined {
  const user = users.find((u) => u.sub === accountId);
  if (user === undefined) return undefined;
  return { email: user.email, preferred_username: user.username, name: user.name, groups: [...user.groups] };
}

/** Resource indicators (JWT access tokens per API) and introspection. */
function apiFeatures(apis: readonly DevApiResource[]): Record<string, Record<string, unknown>> {
  return {
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      getResourceServerInfo: (_ctx: unknown, indicator: string) => {
        const api = apis.find((a) => a.url === indicator);
        if (api === undefined) throw new errors.InvalidTarget();
        return {
          scope: api.scopes.join(' '),
          audience: api.url,
          accessTokenFormat: api.format ?? 'jwt',
          ...((api.format ?? 'jwt') === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
        };
      },
    },
  };
}

function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.body = body;
}

function providerConfiguration(
  options: DevIdpOptions,
  users: readonly DevUser[],
  mountPath: string,
): Configuration {
  const ttl = { ...TTL_DEFAULTS, ...options.ttl };
  const rotate = options.rotateRefreshTokens ?? true;
  return {
    clients: options.clients.map((c) => ({
      client_id: c.client_id,
      ...(c.client_secret === undefined
        ? { token_endpoint_auth_method: 'none' }
        : { client_secret: c.client_secret, token_endpoint_auth_method: 'client_secret_basic' }),
      redirect_uris: [...c.redirect_uris],
      post_logout_redirect_uris: [...(c.post_logout_redirect_uris ?? [])],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      require_auth_time: true,
    })),
    findAccount: (_ctx, sub) => {
      const user = users.find((u) => u.sub === sub);
      if (user === undefined) return Promise.resolve(undefined);
      return Promise.resolve({
        accountId: sub,
        claims: () => Promise.resolve(devUserClaims(user)),
      });
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      // amr under openid: ID tokens carry it whenever an authentication method was recorded.
      openid: ['sub', 'amr'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    // Put the claims of granted scopes in the ID token too, not only at userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: rotate,
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // SameSite=None needs Secure, which plain-HTTP demos cannot set: use Lax.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    jwks: { keys: [signingKey()] },
    ...(options.apiResources === undefined ? {} : { extraTokenClaims: (_ctx: KoaContextWithOIDC, token: { readonly accountId?: string }) => tokenClaims(users, token.accountId) }),
    features: {
      ...(options.apiResources === undefined ? {} : apiFeatures(options.apiResources)),
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          html(ctx, renderLogoutPage(ctx.host, form));
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          html(ctx, renderLoggedOutPage());
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      html(ctx, renderErrorPage(out));
    },
    ttl: {
      AccessToken: ttl.accessToken,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      AuthorizationCode: ttl.authorizationCode,
      Session: ttl.session,
      Interaction: ttl.interaction,
      Grant: ttl.grant,
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the development OpenID Provider. Users default to alice/wonderland and bob/builder;
 * scopes `openid profile email groups offline_access`; authorization code flow with PKCE S256
 * only; refresh tokens for every client; RP-initiated logout at `end_session_endpoint`;
 * `amr: ["pwd"]` and `auth_time` in the ID token. Nothing is persisted.
 * @throws the listen error (e.g. `EADDRINUSE`) when the port cannot be bound.
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const host = options.host ?? '127.0.0.1';
  const users = options.users ?? DEFAULT_DEV_USERS;
  const logger = (options.logger ?? silentLogger).child({ component: 'demo-idp' });
  const server = createServer();
  const port = await listen(server, options.port ?? 0, host);
  const issuer = options.issuerUrl ?? `http://${hostForUrl(host)}:${port}`;

  // An issuer with a path (`http://host/idp`) serves everything under that path.
  const mountPath = new URL(issuer).pathname.replace(/\/+$/, '');
  const provider = new Provider(issuer, providerConfiguration(options, users, mountPath));
  provider.proxy = options.trustProxy ?? false;
  provider.on('server_error', (_ctx: unknown, err: unknown) => {
    logger.error({ err }, 'demo IdP: server error');
  });
  const interactions = createInteractionHandler(provider, users, logger, mountPath);
  const oidc = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (mountPath !== '') {
      const target = req.url ?? '/';
      if (
        target !== mountPath &&
        !target.startsWith(`${mountPath}/`) &&
        !target.startsWith(`${mountPath}?`)
      ) {
        res.statusCode = 404;
        res.end();
        return;
      }
      // oidc-provider derives its URLs' mount path from `originalUrl` (as under Express).
      Object.assign(req, { originalUrl: target });
      req.url = target.slice(mountPath.length) || '/';
      if (req.url.startsWith('?')) req.url = `/${req.url}`;
    }
    interactions(req, res).then(
      (handled) => {
        if (!handled) oidc(req, res);
      },
      (err: unknown) => {
        logger.error({ err }, 'demo IdP: interaction failed');
        if (!res.headersSent) {
          res.statusCode = 500;
          res.setHeader('Content-Type', 'text/html; charset=utf-8');
          res.end(
            renderErrorPage({ error: 'server_error', error_description: 'interaction failed' }),
          );
        } else {
          res.destroy();
        }
      },
    );
  });
  logger.info({ issuer }, 'demo IdP started (development only)');
  return {
    issuer,
    host,
    port,
    users,
    provider,
    close: () => closeServer(server),
  };
}
