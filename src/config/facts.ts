import type { GatewayFileConfig } from './gateway-schema.js';
import {
  mfaRequirementSchema,
  policyBodySchema,
  roleDefinitionSchema,
  routePolicySchema,
  type PolicyBody,
  type PolicyFile,
  type RuleInput,
} from './policy-schema.js';
import type { MainFacts, PolicyFacts, RouteFacts } from './semantic-checks.js';
import type { YamlSource } from './yaml-source.js';

type Raw = Record<string, unknown>;

const asRecord = (v: unknown): Raw | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asArray = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** Facts of the main file from its validated value, or item by item from the raw YAML value. */
export function mainFacts(
  source: YamlSource,
  valid: GatewayFileConfig | undefined,
  raw: Raw,
): MainFacts {
  if (valid !== undefined) {
    return {
      source,
      idpIds: valid.identity_providers.map((p) => p.id),
      trustedProxies: valid.trusted_proxies,
      mfaConfigured: valid.mfa !== undefined,
      idpTrustsMfa: valid.identity_providers.map((p) => p.trust_idp_mfa !== undefined),
    };
  }
  return {
    source,
    idpIds: asArray(raw.identity_providers).map((p) => asString(asRecord(p)?.id)),
    trustedProxies: asArray(raw.trusted_proxies).map(asString),
    // An invalid file already has errors; assume MFA is set up rather than add noise.
    mfaConfigured: raw.mfa !== undefined && raw.mfa !== null,
    idpTrustsMfa: asArray(raw.identity_providers).map((p) => {
      const t = asRecord(p)?.trust_idp_mfa;
      return t !== undefined && t !== false;
    }),
  };
}

/** Facts of a policy file from its validated value, or item by item from the raw YAML value. */
export function policyFacts(
  source: YamlSource,
  valid: PolicyFile | undefined,
  raw: Raw,
): PolicyFacts {
  if (valid !== undefined) {
    return {
      source,
      routes: (valid.routes ?? []).map((r) => ({ id: r.id, idp: r.idp, policy: r.policy, mfa: r.mfa })),
      policies: new Map(Object.entries(valid.policies ?? {})),
      roles: new Map(Object.entries(valid.roles ?? {})),
    };
  }
  const routes = asArray(raw.routes).map((item): RouteFacts | undefined => {
    const route = asRecord(item);
    if (route === undefined) return undefined;
    const policy = routePolicySchema.safeParse(route.policy);
    const mfa = mfaRequirementSchema.safeParse(route.mfa);
    return {
      id: asString(route.id),
      idp: asString(route.idp),
      policy: policy.success ? policy.data : undefined,
      mfa: mfa.success ? mfa.data : undefined,
    };
  });
  const policies = new Map<string, PolicyBody | undefined>();
  for (const [name, body] of Object.entries(asRecord(raw.policies) ?? {})) {
    const parsed = policyBodySchema.safeParse(body);
    policies.set(name, parsed.success ? parsed.data : undefined);
  }
  const roles = new Map<string, readonly RuleInput[] | undefined>();
  for (const [name, rules] of Object.entries(asRecord(raw.roles) ?? {})) {
    const parsed = roleDefinitionSchema.safeParse(rules);
    roles.set(name, parsed.success ? parsed.data : undefined);
  }
  return { source, routes, policies, roles };
}
