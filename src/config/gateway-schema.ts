import { z } from 'zod';
import { parseCidr } from './cidr.js';
import { durationSeconds } from './duration.js';
import { mfaConfigSchema, trustIdpMfaSchema } from './mfa-schema.js';

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid header name (RFC 9110 §5.1)');

const DURATION = 'Seconds, or a string like "30s", "15m", "12h", "7d".';

/** An IPv4/IPv6 address or CIDR block (`10.0.0.0/8`, `::1`). */
const cidr = z
  .string()
  .refine(
    (s) => parseCidr(s) !== undefined,
    'not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)',
  );

/** `listen`: where the gateway's HTTP server binds. */
export const listenSchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .default('0.0.0.0')
    .describe('Address to bind, e.g. 0.0.0.0 or 127.0.0.1.'),
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8080)
    .describe('TCP port (0: any free port). Env: GATEHOUSE_LISTEN_PORT.'),
});

/** `session`: cookie and server-side session settings. Durations in seconds or strings. */
export const sessionSchema = z.strictObject({
  cookie_name: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-"')
    .default('gatehouse_session')
    .describe('Name of the session cookie.'),
  /** Cookie `Domain` for SSO across subdomains, e.g. `.example.com`. Unset: host-only cookie. */
  cookie_domain: z
    .string()
    .min(1)
    .optional()
    .describe('Cookie Domain for SSO across subdomains, e.g. .example.com. Unset: host-only.'),
  idle_timeout: durationSeconds
    .default(30 * 60)
    .describe(`Session ends after this long without a request. ${DURATION} Default 30m.`),
  absolute_lifetime: durationSeconds
    .default(12 * 3600)
    .describe(`Session ends this long after login, active or not. ${DURATION} Default 12h.`),
  store: z
    .enum(['memory', 'redis'])
    .default('memory')
    .describe('Where sessions live. Env: GATEHOUSE_SESSION_STORE.'),
  redis: z
    .strictObject({
      /** `redis://` or `rediss://` (TLS); password in the URL. */
      url: z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
        .default('redis://127.0.0.1:6379')
        .describe(
          'redis:// or rediss:// URL; put the password in it via ${ENV} or ${file:}. Env: GATEHOUSE_REDIS_URL.',
        ),
      key_prefix: z.string().default('gatehouse:').describe('Prefix of every Redis key.'),
    })
    .default({ url: 'redis://127.0.0.1:6379', key_prefix: 'gatehouse:' }),
  /** In-process cache in front of the store: bounded by entries and age (seconds). */
  cache: z
    .strictObject({
      max_entries: z
        .number()
        .int()
        .min(0)
        .default(10_000)
        .describe('Sessions cached in process (0: no cache).'),
      max_age: durationSeconds
        .default(5)
        .describe(`How long a cached session is trusted. ${DURATION} Default 5s.`),
    })
    .default({ max_entries: 10_000, max_age: 5 }),
});

/** Which claims carry user id, email, name, username and groups. Dotted paths reach nested claims. */
export const claimMappingSchema = z.strictObject({
  user: z.string().min(1).default('sub'),
  email: z.string().min(1).default('email'),
  name: z.string().min(1).default('name'),
  preferred_username: z.string().min(1).default('preferred_username'),
  groups: z.string().min(1).default('groups'),
});

/** JWS algorithms accepted on bearer access tokens: asymmetric only (never `none`, never HMAC). */
export const BEARER_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** RFC 7662 token introspection for opaque access tokens. */
export const introspectionSchema = z.strictObject({
  endpoint: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .optional()
    .describe("Introspection endpoint; default: the provider's discovered introspection_endpoint."),
  client_id: z
    .string()
    .min(1)
    .optional()
    .describe("Client id for introspection requests; default: the provider's client_id."),
  client_secret: z
    .string()
    .min(1)
    .optional()
    .describe("Client secret for introspection; default: the provider's client_secret. Use ${ENV} or ${file:}."),
  cache_ttl: durationSeconds
    .default(30)
    .describe(`How long an introspection answer is reused (revocation takes at most this long). ${DURATION} Default 30s.`),
});

/** Bearer access tokens from API clients (RFC 6750), verified for routes with `bearer: true`. */
export const bearerSchema = z.strictObject({
  audience: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .transform((v) => (typeof v === 'string' ? [v] : v))
    .describe('Accepted `aud` values of access tokens (the API resource identifier); a token must name one.'),
  algorithms: z
    .array(z.enum(BEARER_ALGORITHMS))
    .min(1)
    .default(['RS256', 'PS256', 'ES256', 'EdDSA'])
    .describe('Accepted JWS algorithms of JWT access tokens (asymmetric only).'),
  jwks_uri: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .optional()
    .describe("JWKS of the provider; default: the discovered jwks_uri."),
  clock_tolerance: durationSeconds
    .default(30)
    .describe(`Tolerance for exp/nbf/iat of access tokens. ${DURATION} Default 30s.`),
  introspection: introspectionSchema
    .optional()
    .describe('Enables opaque (non-JWT) access tokens through RFC 7662 introspection.'),
});

/** One OpenID Connect identity provider (the gateway is its relying party). */
export const identityProviderSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-"')
    .describe('Name routes use in `idp:`; unique.'),
  issuer: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .describe('OpenID Provider issuer URL (discovery at /.well-known/openid-configuration).'),
  client_id: z.string().min(1),
  client_secret: z
    .string()
    .min(1)
    .optional()
    .describe('Use ${ENV_VAR} or ${file:/path}; omit for public clients (PKCE only).'),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  claims: claimMappingSchema.default({
    user: 'sub',
    email: 'email',
    name: 'name',
    preferred_username: 'preferred_username',
    groups: 'groups',
  }),
  /** Fetch the userinfo endpoint after login and merge its claims (OIDC Core §5.3). */
  use_userinfo: z.boolean().default(false),
  /** Extra authorization request parameters, e.g. `prompt`. */
  extra_auth_params: z.record(z.string(), z.string()).default({}),
  /** Count this IdP's own MFA (ID token `amr` / `acr`) as MFA at `auth_time`; see docs/mfa.md. */
  trust_idp_mfa: trustIdpMfaSchema
    .optional()
    .describe(
      'Trust the IdP\'s MFA: true (amr mfa, otp, hwk or swk), or { amr: [...], acr: [...] }. Default: not trusted.',
    ),
  /** Accept this provider's access tokens as `Authorization: Bearer` on routes with `bearer: true`. */
  bearer: bearerSchema.optional(),
});

/** Names of the identity headers given to upstreams. */
export const identityHeadersSchema = z.strictObject({
  user: headerName.default('X-Forwarded-User'),
  email: headerName.default('X-Forwarded-Email'),
  preferred_username: headerName.default('X-Forwarded-Preferred-Username'),
  groups: headerName.default('X-Forwarded-Groups'),
});

/** The signed identity assertion sent to upstreams and its keys (docs/upstream-verification.md). */
export const assertionSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Send the signed identity assertion on every authenticated request.'),
    header: headerName.default('X-Gatehouse-Assertion').describe('Name of the assertion header.'),
    algorithm: z
      .enum(['ES256', 'RS256', 'EdDSA'])
      .default('ES256')
      .describe('Signing algorithm of the assertion.'),
    ttl: durationSeconds
      .refine((s) => s >= 10 && s <= 3600, 'must be between 10s and 1h')
      .default(300)
      .describe(`Lifetime of an assertion (exp - iat). ${DURATION} Default 5m.`),
    key_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Key store file (JSON, mode 0600), relative to this file; generated at first start; `gatehouse keys rotate` rotates it.',
      ),
    private_key_file: z
      .string()
      .min(1)
      .optional()
      .describe('A signing key you manage (PEM or JWK), relative to this file. Excludes key_file.'),
    publish_key_files: z
      .array(z.string().min(1))
      .default([])
      .describe('More public keys (JWK) to publish, e.g. the previous key of a private_key_file rotation.'),
  })
  .refine((a) => a.key_file === undefined || a.private_key_file === undefined, {
    error: 'use only one of key_file and private_key_file',
  });

/** Upstream connection settings (durations in seconds or strings). */
export const upstreamSchema = z.strictObject({
  timeout: durationSeconds.default(30),
  connect_timeout: durationSeconds.default(5),
  max_sockets: z.number().int().min(1).default(256),
});

/** `config/gatehouse.yaml`. */
export const gatewayConfigSchema = z.strictObject({
  listen: listenSchema.default({ host: '0.0.0.0', port: 8080 }),
  /** The gateway's public base URL; callback URLs derive from it. */
  public_url: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .describe(
      "The gateway's public base URL; callback URLs derive from it. Env: GATEHOUSE_PUBLIC_URL.",
    ),
  /** Peers whose `X-Forwarded-*` headers are believed (CIDR list). */
  trusted_proxies: z
    .array(cidr)
    .default([])
    .describe('Peers (IP addresses or CIDR blocks) whose X-Forwarded-* headers are believed.'),
  session: sessionSchema.default(sessionSchema.parse({})),
  identity_providers: z
    .array(identityProviderSchema)
    .min(1)
    .describe('OpenID Connect providers; routes without `idp:` use the first.'),
  identity_headers: identityHeadersSchema.default(identityHeadersSchema.parse({})),
  upstream: upstreamSchema.default(upstreamSchema.parse({})),
  assertion: assertionSchema.default(assertionSchema.parse({})),
  /** Directory of route/policy files, relative to the config file. */
  policies_dir: z
    .string()
    .min(1)
    .default('../policies')
    .describe('Directory of route/policy files (*.yaml, *.yml), relative to this file.'),
  logging: z
    .strictObject({
      level: z
        .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default('info')
        .describe('Log level. Env: GATEHOUSE_LOG_LEVEL.'),
    })
    .default({ level: 'info' }),
  /** Gatehouse's own MFA (TOTP); absent = not configured. See docs/mfa.md. */
  mfa: mfaConfigSchema
    .optional()
    .describe('TOTP multi-factor authentication at the gateway (docs/mfa.md). Absent: not configured.'),
});

export type ListenConfig = z.infer<typeof listenSchema>;
export type SessionConfig = z.infer<typeof sessionSchema>;
export type ClaimMapping = z.infer<typeof claimMappingSchema>;
export type IdentityProviderConfig = z.infer<typeof identityProviderSchema>;
export type IdentityHeadersConfig = z.infer<typeof identityHeadersSchema>;
export type UpstreamConfig = z.infer<typeof upstreamSchema>;
export type BearerConfig = z.infer<typeof bearerSchema>;
export type IntrospectionConfig = z.infer<typeof introspectionSchema>;
export type AssertionConfig = z.infer<typeof assertionSchema>;
export type GatewayFileConfig = z.infer<typeof gatewayConfigSchema>;
