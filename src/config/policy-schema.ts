import { z } from 'zod';
import { durationSeconds } from './duration.js';

/** One string or a list of strings; parsed to a list. */
const stringOrList = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (typeof v === 'string' ? [v] : v));

/** `claim` criterion: a dotted claim path and exactly one comparison. */
export const claimCriterionSchema = z
  .strictObject({
    path: z.string().min(1),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    one_of: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).optional(),
    contains: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .refine(
    (c) => [c.equals, c.one_of, c.contains].filter((x) => x !== undefined).length === 1,
    { error: 'a claim criterion needs exactly one of equals, one_of, contains' },
  );

/** `time` criterion: a weekly window in an IANA time zone, for change windows. */
export const timeCriterionSchema = z.strictObject({
  days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1).optional(),
  from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24h)').optional(),
  to: z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'use HH:MM (24h)').optional(),
  timezone: z.string().min(1).default('UTC'),
});

/** `mfa` requirement: `required` or `{ required, max_age }` (max_age in seconds or a duration string). */
export const mfaRequirementSchema = z.union([
  z.literal('required').transform(() => ({ required: true as const })),
  z.strictObject({ required: z.boolean().default(true), max_age: durationSeconds.optional() }),
]);

/** A rule: criteria that must all hold. `any`/`all`/`not` combine rules. */
export interface RuleInput {
  user?: string[];
  email?: string[];
  email_domain?: string[];
  group?: string[];
  role?: string[];
  claim?: z.infer<typeof claimCriterionSchema>;
  method?: string[];
  path?: string[];
  source_ip?: string[];
  authenticated?: boolean;
  mfa?: z.infer<typeof mfaRequirementSchema>;
  scope?: string[];
  time?: z.infer<typeof timeCriterionSchema>;
  any?: RuleInput[];
  all?: RuleInput[];
  not?: RuleInput;
}

export const ruleSchema: z.ZodType<RuleInput> = z.lazy(() =>
  z
    .strictObject({
      user: stringOrList.optional(),
      email: stringOrList.optional(),
      email_domain: stringOrList.optional(),
      group: stringOrList.optional(),
      role: stringOrList.optional(),
      claim: claimCriterionSchema.optional(),
      method: stringOrList.transform((l) => l.map((m) => m.toUpperCase())).optional(),
      path: stringOrList.optional(),
      source_ip: stringOrList.optional(),
      authenticated: z.boolean().optional(),
      mfa: mfaRequirementSchema.optional(),
      scope: stringOrList.optional(),
      time: timeCriterionSchema.optional(),
      any: z.array(ruleSchema).min(1).optional(),
      all: z.array(ruleSchema).min(1).optional(),
      not: ruleSchema.optional(),
    })
    .refine((r) => Object.values(r).some((v) => v !== undefined), {
      error: 'a rule needs at least one criterion',
    }),
) as z.ZodType<RuleInput>;

/** A policy body: `allow` and `deny` rule lists (deny wins), and an optional MFA requirement. */
export const policyBodySchema = z.strictObject({
  allow: z.array(ruleSchema).optional(),
  deny: z.array(ruleSchema).optional(),
  mfa: mfaRequirementSchema.optional(),
});

/**
 * The allow-list shorthand: a user is allowed when any of the lists matches.
 * Desugared by the policy compiler into `allow` rules.
 */
export const allowListPolicySchema = z
  .strictObject({
    groups: z.array(z.string().min(1)).optional(),
    emails: z.array(z.string().min(1)).optional(),
    email_domains: z.array(z.string().min(1)).optional(),
  })
  .refine((p) => (p.groups?.length ?? 0) + (p.emails?.length ?? 0) + (p.email_domains?.length ?? 0) > 0, {
    error: 'an allow list needs at least one of groups, emails, email_domains',
  });

/**
 * A route's `policy`: `public`, `authenticated`, the name of a named policy, an allow list
 * (`groups`/`emails`/`email_domains`), or an inline `{ allow, deny, mfa }` body.
 */
export const routePolicySchema = z.union([
  z.string().min(1),
  allowListPolicySchema,
  policyBodySchema,
]);

/** Route `match`: host (exact or `*.example.com`; `*` for any), one path form, methods. */
export const routeMatchSchema = z
  .strictObject({
    host: stringOrList.optional(),
    path: z.string().startsWith('/').optional(),
    path_exact: z.string().startsWith('/').optional(),
    path_glob: z.string().startsWith('/').optional(),
    methods: stringOrList.transform((l) => l.map((m) => m.toUpperCase())).optional(),
  })
  .refine(
    (m) => [m.path, m.path_exact, m.path_glob].filter((x) => x !== undefined).length <= 1,
    { error: 'use only one of path, path_exact, path_glob' },
  );

/** `basic_auth`: a static `Authorization: Basic` for apps that only speak Basic (RFC 7617). */
export const basicAuthSchema = z.strictObject({
  /** Template of the user id, e.g. `{{ preferred_username }}`. */
  user: z.string().min(1),
  /** The password the app expects; write it as `${ENV}` or `${file:…}`. */
  password: z.string().min(1),
});

/** One route: first match wins, in file order. */
export const routeSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_", "-"'),
  match: routeMatchSchema.default({}),
  upstream: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  policy: routePolicySchema,
  /** Which identity provider logs users in for this route (default: the first). */
  idp: z.string().min(1).optional(),
  /** For upstreams that ignore path case (IIS): match case-insensitively. */
  case_insensitive_paths: z.boolean().default(false),
  /** Forward client `X-Original-URL`, `X-Rewrite-URL`, `X-Forwarded-Prefix`, `X-HTTP-Method-Override`. */
  allow_rewrite_headers: z.boolean().default(false),
  /** Keep the client's `Host` header (default) or send the upstream's host. */
  preserve_host: z.boolean().default(true),
  /** Upstream response timeout override, seconds or duration string. */
  timeout: durationSeconds.optional(),
  mfa: mfaRequirementSchema.optional(),
  /** `aud` of the signed assertion (default: the request's external origin, `https://host[:port]`). */
  audience: z.string().min(1).optional(),
  /** Header templates for legacy apps: `{ X-Remote-User: "{{ preferred_username }}" }`. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Send `Authorization: Basic` with a user from a claim template and a secret password. */
  basic_auth: basicAuthSchema.optional(),
  /** Send the user's access token as `Authorization: Bearer` (opt-in). */
  pass_access_token: z.boolean().default(false),
  /** Send the user's ID token as `Authorization: Bearer` (opt-in). */
  pass_id_token: z.boolean().default(false),
  /** Fixed request headers to set (values are literal). */
  set_headers: z.record(z.string(), z.string()).optional(),
  /** Request headers to remove (any case, `_` or `-`). */
  remove_headers: z.array(z.string().min(1)).optional(),
  /** Cookies to remove from the request by name (case-insensitive). */
  strip_cookies: z.array(z.string().min(1)).optional(),
  /** Accept `Authorization: Bearer` access tokens of the route's identity provider (its `bearer:` section). */
  bearer: z.boolean().default(false),
});

/** A `roles:` entry: the role holds when any of the rules holds. */
export const roleDefinitionSchema = z.array(ruleSchema).min(1);

/** One file under `policies/`. Every section is optional. */
export const policyFileSchema = z.strictObject({
  routes: z.array(routeSchema).optional(),
  policies: z.record(z.string().min(1), policyBodySchema).optional(),
  roles: z.record(z.string().min(1), roleDefinitionSchema).optional(),
});

export type ClaimCriterion = z.infer<typeof claimCriterionSchema>;
export type TimeCriterion = z.infer<typeof timeCriterionSchema>;
export type MfaRequirement = z.infer<typeof mfaRequirementSchema>;
export type PolicyBody = z.infer<typeof policyBodySchema>;
export type AllowListPolicy = z.infer<typeof allowListPolicySchema>;
export type RoutePolicy = z.infer<typeof routePolicySchema>;
export type RouteMatch = z.infer<typeof routeMatchSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type BasicAuthConfig = z.infer<typeof basicAuthSchema>;
export type PolicyFile = z.infer<typeof policyFileSchema>;
