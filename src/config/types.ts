import type { ErrorCode } from '../core/index.js';
import type { GatewayFileConfig } from './gateway-schema.js';
import type { PolicyBody, RouteConfig } from './policy-schema.js';
import type { RuleInput } from './policy-schema.js';

/** Where a value came from in the YAML source, for error messages (1-based). */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A route with the file it was defined in. */
export type LoadedRoute = RouteConfig & { readonly source: SourcePosition };

/**
 * The whole validated configuration: `config/gatehouse.yaml` plus every file in
 * `policies_dir`, merged. Frozen deeply after load.
 */
export interface GatewayConfig extends Readonly<Omit<GatewayFileConfig, 'policies_dir'>> {
  /** Absolute path of the main config file. */
  readonly configFile: string;
  /** Absolute path of the policies directory. */
  readonly policiesDir: string;
  /** Absolute paths of the policy files read, in load order (sorted by name). */
  readonly policyFiles: readonly string[];
  /** Routes from all policy files, in file order then position order. */
  readonly routes: readonly LoadedRoute[];
  /** Named policies from all files. */
  readonly policies: Readonly<Record<string, PolicyBody>>;
  /** Role definitions from all files. */
  readonly roles: Readonly<Record<string, readonly RuleInput[]>>;
  /** Where each named policy and role was defined (for problem messages). */
  readonly sources: {
    readonly policies: Readonly<Record<string, SourcePosition>>;
    readonly roles: Readonly<Record<string, SourcePosition>>;
  };
}

/** One configuration problem: `file:line:col key.path: message`. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based line, 0 when unknown. */
  readonly line: number;
  /** 1-based column, 0 when unknown. */
  readonly column: number;
  /** Dotted key path, e.g. `routes[2].upstream`. '' for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /** Set when a problem maps to a specific error code: `ERR_CONFIG_NOT_FOUND` for a missing main file. */
  readonly code?: Extract<ErrorCode, 'ERR_CONFIG_NOT_FOUND' | 'ERR_CONFIG_INVALID'>;
}

/** Formats a problem as one line: `file:line:col key.path: message`. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  const key = p.path === '' ? '' : ` ${p.path}:`;
  const sev = p.severity === 'warning' ? ' warning:' : '';
  return `${where}${sev}${key} ${p.message}`;
}
