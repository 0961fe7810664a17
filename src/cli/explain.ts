import { systemClock, type Decision, type Identity } from '../core/index.js';
import { formatProblem, loadConfig, type GatewayConfig } from '../config/index.js';
import { canonicalize, compileRouteTable, type ExplainStep } from '../policy/index.js';
import { err, out } from './output.js';

/** Who and what `gatehouse explain` evaluates. */
export interface ExplainInput {
  readonly method: string;
  readonly url: string;
  readonly user?: string;
  readonly email?: string;
  readonly groups?: readonly string[];
  /** `path=value` pairs; dotted paths build nested claims; a repeated path builds a list. */
  readonly claims?: readonly string[];
  readonly mfa?: boolean;
  readonly issuer?: string;
  /** Client address for `source_ip` criteria (default 127.0.0.1). */
  readonly ip?: string;
  /** Evaluation time, milliseconds since the epoch (default now). */
  readonly nowMs?: number;
}

/** The outcome of an explanation. */
export interface ExplainOutcome {
  readonly canonicalUrl?: string;
  readonly routeId?: string;
  readonly decision?: Decision;
  readonly steps: readonly ExplainStep[];
  /** Why the request is refused before any route (400/404), if it is. */
  readonly rejected?: string;
}

function setClaim(claims: Record<string, unknown>, dotted: string, value: string): void {
  const parts = dotted.split('.');
  let node = claims;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1] ?? dotted;
  const existing = node[last];
  if (existing === undefined) node[last] = value;
  else node[last] = Array.isArray(existing) ? [...(existing as unknown[]), value] : [existing, value];
}

/** Builds the identity described by the flags, or undefined for an anonymous request. */
export function identityFromFlags(input: ExplainInput, config: GatewayConfig, nowMs: number): Identity | undefined {
  if (input.user === undefined && input.email === undefined && (input.groups ?? []).length === 0 && (input.claims ?? []).length === 0) {
    return undefined;
  }
  const claims: Record<string, unknown> = {};
  for (const pair of input.claims ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--claim takes path=value, got "${pair}"`);
    setClaim(claims, pair.slice(0, eq), pair.slice(eq + 1));
  }
  const sub = input.user ?? input.email ?? 'explain-user';
  const nowSec = Math.floor(nowMs / 1000);
  return {
    issuer: input.issuer ?? config.identity_providers[0]?.issuer ?? 'explain',
    sub,
    user: sub,
    ...(input.email === undefined ? {} : { email: input.email, emailVerified: true }),
    groups: [...(input.groups ?? [])],
    roles: [],
    amr: input.mfa === true ? ['pwd', 'otp'] : ['pwd'],
    authTime: nowSec,
    ...(input.mfa === true ? { mfaTime: nowSec } : {}),
    claims: { sub, ...(input.email === undefined ? {} : { email: input.email }), groups: [...(input.groups ?? [])], ...claims },
  };
}

/**
 * Explains what the gateway decides for one request with the given configuration: the
 * canonical URL, the route matched, each rule evaluated, and the decision with its reason.
 * Uses the same canonicalisation, matching and evaluation code as the running gateway.
 */
export function explainRequest(config: GatewayConfig, input: ExplainInput): ExplainOutcome {
  const table = compileRouteTable({ routes: config.routes, policies: config.policies, roles: config.roles, sources: config.sources });
  const nowMs = input.nowMs ?? systemClock.now();
  // Split the URL as a client sends it (Host header + origin-form target), without WHATWG
  // normalisation, so canonicalisation sees exactly what the gateway would.
  const parts = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(input.url);
  if (parts === null) return { steps: [], rejected: `not an absolute http(s) URL: ${input.url}` };
  const [, scheme = 'http', authority = '', rest = ''] = parts;
  const target = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
  let creq;
  try {
    creq = canonicalize(
      {
        method: input.method,
        target,
        host: authority,
        scheme: scheme.toLowerCase() === 'https' ? 'https' : 'http',
        clientIp: input.ip ?? '127.0.0.1',
      },
      table,
    );
  } catch (e) {
    return { steps: [], rejected: `400 ${e instanceof Error ? e.message : String(e)}` };
  }
  const host = creq.port === undefined ? creq.host : `${creq.host}:${creq.port}`;
  const canonicalUrl = `${creq.scheme}://${host}${creq.path}${creq.query === '' ? '' : `?${creq.query}`}`;
  if (creq.path.startsWith('/.gatehouse/') || creq.path.startsWith('/.well-known/gatehouse/')) {
    return { canonicalUrl, steps: [], rejected: 'reserved: served by the gateway itself, not by a route' };
  }
  const identity = identityFromFlags(input, config, nowMs);
  const result = table.explain(identity, creq, { nowMs });
  if (result.route === undefined) return { canonicalUrl, steps: result.steps, rejected: '404 no route matches' };
  return {
    canonicalUrl,
    routeId: result.route.id,
    steps: result.steps,
    ...(result.decision === undefined ? {} : { decision: result.decision }),
  };
}

/**
 * `gatehouse explain`: prints the explanation.
 * @returns exit code 0 when allowed, 2 otherwise (deny, login, MFA, rejected), 1 for a bad config.
 */
export async function runExplain(configFile: string, input: ExplainInput): Promise<number> {
  const loaded = await loadConfig(configFile);
  if (!loaded.ok) {
    for (const p of loaded.problems) err(formatProblem(p));
    return 1;
  }
  const outcome = explainRequest(loaded.config, { ...input, nowMs: input.nowMs ?? systemClock.now() });
  if (outcome.canonicalUrl !== undefined) out(`canonical: ${input.method.toUpperCase()} ${outcome.canonicalUrl}`);
  if (outcome.rejected !== undefined) {
    out(`result:    ${outcome.rejected}`);
    return 2;
  }
  out(`route:     ${outcome.routeId ?? '-'}`);
  const who = identityFromFlags(input, loaded.config, systemClock.now());
  out(`identity:  ${who === undefined ? 'anonymous' : `${who.sub} groups=[${who.groups.join(',')}]${input.mfa === true ? ' mfa' : ''}`}`);
  for (const s of outcome.steps) out(`  ${s.result ? 'yes' : 'no '}  ${s.rule}: ${s.detail}`);
  const d = outcome.decision;
  if (d === undefined) return 2;
  out(`decision:  ${d.effect}${d.rule === undefined ? '' : ` by ${d.rule}`} (${d.reasons.join(', ')})`);
  return d.effect === 'allow' ? 0 : 2;
}
