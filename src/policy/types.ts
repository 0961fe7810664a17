import type { CanonicalRequest, Decision, Identity } from '../core/index.js';
import type { LoadedRoute, PolicyBody, RuleInput, SourcePosition } from '../config/index.js';

/** Context of one evaluation. */
export interface EvaluationContext {
  /** Current time, milliseconds since the epoch (from the injected Clock). */
  readonly nowMs: number;
  /** OAuth scopes of a bearer token, when the identity came from one. */
  readonly scopes?: readonly string[];
}

/** A route compiled for matching and evaluation. Immutable. */
export interface CompiledRoute {
  readonly id: string;
  readonly upstream: URL;
  /** Identity provider id for logins on this route; undefined means the default (first). */
  readonly idp: string | undefined;
  readonly preserveHost: boolean;
  readonly allowRewriteHeaders: boolean;
  readonly caseInsensitivePaths: boolean;
  /** Upstream timeout override in seconds. */
  readonly timeoutSeconds: number | undefined;
  /** True when the policy is `public`: no login is ever required. */
  readonly isPublic: boolean;
  /** Decides for one request. Never throws: an internal error yields `deny` / `evaluation-error`. */
  evaluate(identity: Identity | undefined, req: CanonicalRequest, ctx: EvaluationContext): Decision;
}

/** One step of an explanation (for `gatehouse explain`). */
export interface ExplainStep {
  /** Rule name, e.g. `deny[0]`, `allow[1].any[0]`, `role:finance-approver`. */
  readonly rule: string;
  readonly result: boolean;
  /** Human text: which criterion held or failed and why. */
  readonly detail: string;
}

/** Compiled routes, named policies and roles. Built once per config load; immutable. */
export interface RouteTable {
  /** All host patterns the routes serve (for absolute-form targets and redirect safety); `*` when a route serves any host. */
  readonly hosts: readonly string[];
  /** The compiled routes in file order. */
  readonly routes: readonly CompiledRoute[];
  /** True when `host` (canonical host name, without port) is served by some route. */
  servesHost(host: string): boolean;
  /** First route (file order) whose match holds, or undefined (→ 404). */
  match(req: CanonicalRequest): CompiledRoute | undefined;
  /** Gateway roles of an identity, from the `roles:` section. */
  rolesFor(identity: Identity): readonly string[];
  /** The decision plus each rule evaluated, for `gatehouse explain`. */
  explain(
    identity: Identity | undefined,
    req: CanonicalRequest,
    ctx: EvaluationContext,
  ): { route: CompiledRoute | undefined; decision: Decision | undefined; steps: ExplainStep[] };
}

/** Raw request facts from the HTTP layer, input to canonicalisation. */
export interface RawRequestTarget {
  readonly method: string;
  /** The request-target exactly as received (`req.url`): origin-form or absolute-form. */
  readonly target: string;
  /** The `Host` header value (or the host of an absolute-form target). */
  readonly host: string | undefined;
  readonly scheme: 'http' | 'https';
  readonly clientIp: string;
}

/** Input of `compileRouteTable` and `analyzeRoutes`: the routes/policies/roles of a loaded configuration. */
export interface RouteTableInput {
  /** Routes in file order, each with its source position. */
  readonly routes: readonly LoadedRoute[];
  /** Named policies (`policies:`). */
  readonly policies: Readonly<Record<string, PolicyBody>>;
  /** Role definitions (`roles:`): a role is held when any of its rules holds. */
  readonly roles: Readonly<Record<string, readonly RuleInput[]>>;
  /** Where named policies and roles were defined, when the loader knows (for problem messages). */
  readonly sources?: {
    readonly policies?: Readonly<Record<string, SourcePosition>>;
    readonly roles?: Readonly<Record<string, SourcePosition>>;
  };
}
