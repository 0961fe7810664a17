import type { CanonicalRequest, DecisionReason, Identity } from '../../core/index.js';
import type { EvaluationContext } from '../types.js';

/** Roles held by an identity, as far as a criterion needs to know. */
export interface RoleLookup {
  has(role: string): boolean;
}

/** Everything a criterion may look at for one request. */
export interface EvalInput {
  readonly identity: Identity | undefined;
  readonly req: CanonicalRequest;
  readonly ctx: EvaluationContext;
  /** The request path as matching sees it (`matchingPath`: parameters stripped, lower case on case-insensitive routes). */
  readonly path: string;
  /** Roles of an identity (cached per identity object). */
  rolesOf(identity: Identity): RoleLookup;
}

/** Names of the criteria of the policy language. */
export type CriterionKind =
  | 'user'
  | 'email'
  | 'email_domain'
  | 'group'
  | 'role'
  | 'claim'
  | 'method'
  | 'path'
  | 'source_ip'
  | 'authenticated'
  | 'scope'
  | 'time';

/** A criterion compiled at load time: everything per request is a closure call. */
export interface Criterion {
  readonly kind: CriterionKind;
  /**
   * True when the criterion looks at the identity. Without an identity such a criterion is
   * *unknown* (it could hold once the user signs in), which turns into `login`, never `allow`.
   */
  readonly needsIdentity: boolean;
  /** Reason reported when an allow rule fails on this criterion alone. */
  readonly failReason: DecisionReason;
  /** Reason reported in addition to `rule-denied` when a deny rule of only this criterion holds. */
  readonly denyReason: DecisionReason | undefined;
  /** Tests the criterion; `input.identity` is defined whenever `needsIdentity` is. May throw (→ deny). */
  test(input: EvalInput): boolean;
  /** A human line for `gatehouse explain`, e.g. `group in [admins]: no (user has dev)`. */
  describe(input: EvalInput, held: boolean): string;
}

/** What criteria compilers need to know and where they report problems. */
export interface CompileScope {
  /** Whether the route matches paths case-insensitively (path criteria follow it). */
  readonly caseInsensitivePaths: boolean;
  /** Names of the defined roles. */
  readonly roleNames: ReadonlySet<string>;
  /** True inside a `roles:` definition: only identity criteria are allowed there. */
  readonly inRoleDefinition: boolean;
  /** Reports a configuration error at `keyPath` (relative to the scope's base). */
  problem(keyPath: string, message: string): void;
}

/** Formats a list for explanations: `[a, b]`. */
export function list(values: Iterable<unknown>): string {
  return `[${[...values].map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]`;
}

/** `yes` / `no`. */
export function yesNo(held: boolean): string {
  return held ? 'yes' : 'no';
}
