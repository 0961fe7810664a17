import { formatProblem, loadConfig, type ConfigProblem } from '../config/index.js';
import { analyzeRoutes, compileRouteTable } from '../policy/index.js';
import { GatewayError } from '../core/index.js';
import { upstreamIdentityProblems } from '../main.js';
import { out } from './output.js';

/**
 * Validates a configuration: every schema and semantic problem, route compilation problems,
 * and warnings (shadowed or overlapping routes, undefined roles). One line per problem.
 * @returns the exit code: 1 when there is any error, 0 otherwise (warnings only).
 */
export async function runCheck(configFile: string): Promise<number> {
  const result = await loadConfig(configFile);
  if (!result.ok) {
    for (const p of result.problems) out(formatProblem(p));
    out(`${result.problems.filter((p) => p.severity === 'error').length} error(s): configuration is invalid`);
    return 1;
  }
  const { config } = result;
  const input = { routes: config.routes, policies: config.policies, roles: config.roles, sources: config.sources };
  let errors: readonly ConfigProblem[] = [];
  try {
    compileRouteTable(input);
  } catch (e) {
    if (e instanceof GatewayError && Array.isArray(e.details?.problems)) errors = e.details.problems as ConfigProblem[];
    else throw e;
  }
  errors = [...errors, ...upstreamIdentityProblems(config)];
  const warnings = [...result.warnings, ...analyzeRoutes(input)];
  for (const p of [...errors, ...warnings]) out(formatProblem(p));
  if (errors.length > 0) {
    out(`${errors.length} error(s), ${warnings.length} warning(s): configuration is invalid`);
    return 1;
  }
  out(
    `configuration is valid: ${config.routes.length} route(s) in ${config.policyFiles.length} file(s), ${warnings.length} warning(s)`,
  );
  return 0;
}
