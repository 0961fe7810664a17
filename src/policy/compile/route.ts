import { decision, type CanonicalRequest, type Decision, type Identity } from '../../core/index.js';
import { matchingPath } from '../canonical/path.js';
import type { EvalInput, MfaCheck, RoleLookup } from '../criteria/index.js';
import type { HostPattern } from '../matching/host-pattern.js';
import type { PathMatcher } from '../matching/path-matcher.js';
import type { CompiledRoute, EvaluationContext, ExplainStep } from '../types.js';
import { decide } from './decide.js';
import type { PolicyProgram } from './policy.js';

/** Everything a route needs, compiled. */
export interface RouteParts {
  readonly index: number;
  readonly id: string;
  readonly upstream: URL;
  readonly idp: string | undefined;
  readonly preserveHost: boolean;
  readonly allowRewriteHeaders: boolean;
  readonly caseInsensitivePaths: boolean;
  readonly timeoutSeconds: number | undefined;
  /** Host patterns; empty means any host. */
  readonly hosts: readonly HostPattern[];
  readonly path: PathMatcher;
  /** Allowed methods (upper case), undefined for any. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly policy: PolicyProgram;
  readonly mfa: MfaCheck | undefined;
  readonly rolesOf: (identity: Identity) => RoleLookup;
}

/** A compiled route: matching condition plus decision procedure. Immutable. */
export class RouteEntry implements CompiledRoute {
  readonly id: string;
  readonly upstream: URL;
  readonly idp: string | undefined;
  readonly preserveHost: boolean;
  readonly allowRewriteHeaders: boolean;
  readonly caseInsensitivePaths: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly isPublic: boolean;
  /** Position in file order (0-based); lower wins. */
  readonly index: number;
  readonly hostPatterns: readonly HostPattern[];
  readonly pathMatcher: PathMatcher;
  readonly methods: ReadonlySet<string> | undefined;
  readonly #policy: PolicyProgram;
  readonly #mfa: MfaCheck | undefined;
  readonly #rolesOf: (identity: Identity) => RoleLookup;

  constructor(p: RouteParts) {
    this.id = p.id;
    this.upstream = p.upstream;
    this.idp = p.idp;
    this.preserveHost = p.preserveHost;
    this.allowRewriteHeaders = p.allowRewriteHeaders;
    this.caseInsensitivePaths = p.caseInsensitivePaths;
    this.timeoutSeconds = p.timeoutSeconds;
    this.isPublic = p.policy.kind === 'public';
    this.index = p.index;
    this.hostPatterns = p.hosts;
    this.pathMatcher = p.path;
    this.methods = p.methods;
    this.#policy = p.policy;
    this.#mfa = p.mfa;
    this.#rolesOf = p.rolesOf;
    Object.freeze(this);
  }

  /**
   * True when the route's match holds. `path` is `matchingPath(req.path, false)`,
   * `lowerPath` the same lower-cased (used when the route is case-insensitive).
   */
  matches(req: CanonicalRequest, path: string, lowerPath: string): boolean {
    if (this.methods !== undefined && !this.methods.has(req.method)) return false;
    if (!this.pathMatcher.test(this.caseInsensitivePaths ? lowerPath : path)) return false;
    const hosts = this.hostPatterns;
    if (hosts.length === 0) return true;
    for (const h of hosts) if (h.test(req.host, req.port, req.scheme)) return true;
    return false;
  }

  evaluate(
    identity: Identity | undefined,
    req: CanonicalRequest,
    ctx: EvaluationContext,
  ): Decision {
    return this.decide(identity, req, ctx, undefined);
  }

  /**
   * Decides with an optional trace (for `explain`): the same code path as `evaluate`.
   * Never throws: an exception yields `deny` / `evaluation-error` (fail closed).
   */
  decide(
    identity: Identity | undefined,
    req: CanonicalRequest,
    ctx: EvaluationContext,
    trace: ExplainStep[] | undefined,
  ): Decision {
    try {
      const input: EvalInput = {
        identity,
        req,
        ctx,
        path: this.#policy.usesPath ? matchingPath(req.path, this.caseInsensitivePaths) : req.path,
        rolesOf: this.#rolesOf,
      };
      return decide(this.#policy, this.#mfa, this.id, input, trace);
    } catch (err) {
      trace?.push({
        rule: 'error',
        result: false,
        detail: `evaluation failed: ${err instanceof Error ? err.message : String(err)}`,
      });
      return decision('deny', this.id, ['evaluation-error']);
    }
  }
}
